"""Run Command really runs inside the instance's container, its CPU is measured from the
container's cgroup against its cap, and cancelling or timing out ends the script's process group as
the SSM agent does, and only that group. Needs the machine's container runtime
(emulation/container-runtime/runtime.sh up)."""

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Region, Stack
from emulated_region import cpu, run_command
from emulated_region.instance_hosts import InstanceHosts
from emulated_region.state import Harness

RUNTIME = Path(__file__).parents[1] / "container-runtime" / "runtime.sh"
# Busy loops that stay in the script's process group: what a cancel must end.
BURN = 'sh -c "while :; do :; done" & sh -c "while :; do :; done" & wait; echo done'
# GNU timeout without --foreground moves itself (and its child) into a new process group.
LEFT_THE_GROUP = 'timeout 300 sh -c "while :; do sleep 1; done" & setsid sleep 300 & sleep 300'


def runtime_env() -> dict[str, str]:
    exported = subprocess.run(["bash", str(RUNTIME), "env"], check=True, capture_output=True, text=True).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in exported.splitlines() if "=" in line)


# At import, before the session's emulated-region server starts: it runs `docker exec` and must
# reach the same runtime.
os.environ.setdefault("DOCKER_HOST", runtime_env()["DOCKER_HOST"])


@pytest.fixture(scope="module")
def container() -> Iterator[str]:
    subprocess.run(["bash", str(RUNTIME), "up"], check=True, capture_output=True, timeout=300)
    env = runtime_env()
    name = f"scaletest-os-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "--cpus", "0.5", env["TEST_BASE_IMAGE"], "sleep", "600"],
        check=True, capture_output=True, timeout=120,
    )
    yield name
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=120)


def send(region: Region, instance: str, script: str, timeout: int = 120) -> str:
    ssm = region.client("ssm")
    return ssm.send_command(
        InstanceIds=[instance], DocumentName="AWS-RunShellScript",
        Parameters={"commands": [script], "executionTimeout": [str(timeout)]},
    )["Command"]["CommandId"]


def invocation(region: Region, command_id: str, instance: str) -> dict:
    return region.client("ssm").get_command_invocation(CommandId=command_id, InstanceId=instance)


def first_instance(region: Region, stack: Stack) -> str:
    return region.group(stack)["Instances"][0]["InstanceId"]


def test_the_script_runs_in_the_instance_and_reports_its_output(region: Region, stack: Stack, container: str) -> None:
    instance = first_instance(region, stack)
    region.control("/_harness/instance-host", {"instanceId": instance, "container": container})
    command_id = send(region, instance, "echo hello from $(hostname); echo oops >&2; exit 3")
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] not in ("Pending", "InProgress"))
    result = invocation(region, command_id, instance)
    assert (result["Status"], result["ResponseCode"]) == ("Failed", 3), result
    assert result["StandardOutputContent"].startswith("hello from ")
    assert result["StandardErrorContent"] == "oops\n"


def test_an_instance_without_an_os_is_refused_and_nothing_runs(region: Region, stack: Stack) -> None:
    instance = first_instance(region, stack)
    with pytest.raises(Exception, match="InvalidInstanceId"):
        send(region, instance, BURN)
    # This region's commands only: other test runs on a shared machine burn CPU through theirs.
    assert region.control("/_harness/run-command-processes")["runCommandPids"] == []
    assert region.client("ssm").list_commands()["Commands"] == []


def test_the_burn_runs_in_the_container_and_cancel_ends_its_process_group(
    region: Region, stack: Stack, container: str
) -> None:
    instance = first_instance(region, stack)
    region.control("/_harness/instance-host", {"instanceId": instance, "container": container})
    harness = Harness(initial_time_scale=1.0, parts=(InstanceHosts,))
    harness.part(InstanceHosts).attach(instance, container)
    source = cpu.CgroupCpuSource(harness)
    source.percent(instance)
    time.sleep(1)
    idle = source.percent(instance)
    command_id = send(region, instance, BURN)
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] == "InProgress")
    region.wait_until(lambda: len(run_command.running_processes(command_id)) >= 2)
    source.percent(instance)
    time.sleep(2)
    busy = source.percent(instance)
    # The source reads the instance's own container, and the burn's processes use its CPU. How
    # much of the cap they reach depends on what else the machine runs: that figure is
    # bench/scale-test-timeline.ts's (instance CPU idle and under the burn), never a test's.
    assert idle is not None and busy is not None
    assert busy > idle

    region.client("ssm").cancel_command(CommandId=command_id)
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] == "Cancelled")
    region.wait_until(lambda: run_command.running_processes(command_id) == [], timeout=10)
    assert region.control("/_harness/run-command-processes")["runCommandPids"] == []


def in_group(pid: int, group: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[2]) == group
    except OSError:
        return False


def commands_of(pids: list[int]) -> list[str]:
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                found.append(cmdline.read().replace(b"\0", b" ").decode().strip())
        except OSError:
            pass
    return sorted(found)


def test_execution_timeout_ends_the_script_as_timed_out(region: Region, stack: Stack, container: str) -> None:
    instance = first_instance(region, stack)
    region.control("/_harness/instance-host", {"instanceId": instance, "container": container})
    command_id = send(region, instance, "sleep 60", timeout=2)
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] == "TimedOut", timeout=30)
    region.wait_until(lambda: run_command.running_processes(command_id) == [], timeout=10)


@pytest.mark.parametrize("end", ["cancel", "executionTimeout"])
def test_a_process_that_left_the_script_group_survives_as_on_aws(
    region: Region, stack: Stack, container: str, end: str
) -> None:
    """The agent kills the script's process group only (executers_unix.go, killProcess): GNU
    timeout's own group and a new session outlive the cancel and the timeout alike."""
    instance = first_instance(region, stack)
    region.control("/_harness/instance-host", {"instanceId": instance, "container": container})
    command_id = send(region, instance, LEFT_THE_GROUP, timeout=15 if end == "executionTimeout" else 120)
    marker = run_command.run_marker(command_id, instance)
    region.wait_until(lambda: len(run_command.running_processes(command_id)) >= 5, timeout=60)
    group = run_command.script_group(marker)
    assert group is not None
    if end == "cancel":
        region.client("ssm").cancel_command(CommandId=command_id)
    final = "Cancelled" if end == "cancel" else "TimedOut"
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] == final, timeout=60)
    # The script and the `sleep 300` it waited on were its group: gone. What left it is not.
    region.wait_until(lambda: not any(in_group(pid, group) for pid in run_command.running_processes(command_id)))
    survivors = commands_of(run_command.running_processes(command_id))
    assert "timeout 300 sh -c while :; do sleep 1; done" in survivors, survivors
    assert "sh -c while :; do sleep 1; done" in survivors, survivors
    assert survivors.count("sleep 300") == 1, survivors  # the one setsid started


def test_a_cancel_before_the_script_started_still_stops_it(region: Region, stack: Stack, container: str) -> None:
    instance = first_instance(region, stack)
    region.control("/_harness/instance-host", {"instanceId": instance, "container": container})
    command_id = send(region, instance, BURN)
    region.client("ssm").cancel_command(CommandId=command_id)
    region.wait_until(lambda: invocation(region, command_id, instance)["Status"] == "Cancelled", timeout=40)
    region.wait_until(lambda: run_command.running_processes(command_id) == [], timeout=10)
