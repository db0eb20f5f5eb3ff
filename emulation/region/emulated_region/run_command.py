"""SSM Run Command that really runs: AWS-RunShellScript executed on each instance's OS.

moto records SendCommand and answers every invocation `Success` without running anything, and has
no CancelCommand. Here (where the instance's OS is, see instance_hosts.py):

- SendCommand with AWS-RunShellScript starts `sh -c <commands>` on each instance: on the live
  data plane's emulated host, as root, as the SSM agent runs it ("AWS-RunShellScript": the
  commands run as root on Linux), in the instance's CPU cgroup; in a container a test attached
  through `docker exec`. The document's `executionTimeout` (default 3600 s) is enforced.
  An instance without an OS to run in is refused as AWS refuses an instance that is not a
  managed node: InvalidInstanceId, and nothing is started anywhere.
- GetCommandInvocation reports Pending -> InProgress -> Success | Failed | TimedOut | Cancelled
  with the exit code, StandardOutputContent and StandardErrorContent (AWS keeps the first 24,000
  and 8,000 characters).
- CancelCommand and the executionTimeout end a run the way the SSM agent does: SIGKILL to the
  script's process group, and nothing else. Source: amazon-ssm-agent, agent/executers/
  executers_unix.go (`prepareProcess` starts the script with `Setpgid: true`; `killProcess` sends
  `syscall.Kill(-pid, SIGKILL)`) and executers.go (`ExecuteCommand` calls `killProcess` both on
  the cancel flag and when `executionTimeout` expires). A process that left the group survives:
  GNU `timeout` without `--foreground` calls setpgid(0, 0), and `setsid` starts a new session.
  Here the script starts as the leader of its own session and group (pid = pgid), as the agent's
  Setpgid does: on the emulated host the harness starts it so; in an attached container podman
  starts `docker exec`'s `sh -c` so. The harness finds that leader among the run's processes and
  kills its group from the host (container processes are host processes under rootful podman).
- Each run carries HA_SSM_COMMAND_ID in its environment, which every process it starts inherits,
  whether or not it stays in the group: `running_processes(command_id)` and
  GET /_harness/run-command-processes (this region's commands only) are how tests see what a
  cancel left running. Only the harness's own reset kills every marked process (test hygiene: an
  instance whose host goes away takes its processes with it).
"""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.ssm.exceptions import SSMException as RESTError
from moto.ssm.models import Command

from .instance_hosts import InstanceHosts, ScriptCommand
from .state import Part, Routes

MARKER = "HA_SSM_COMMAND_ID"
STDOUT_LIMIT, STDERR_LIMIT = 24_000, 8_000
TERMINAL = {"Success", "Failed", "TimedOut", "Cancelled"}


@dataclass
class Run:
    instance_id: str
    command: ScriptCommand
    command_id: str
    process: subprocess.Popen | None = None
    status: str = "Pending"
    response_code: int = -1
    stdout: str = ""
    stderr: str = ""
    started: datetime | None = None
    ended: datetime | None = None
    cancelled: bool = False
    timed_out: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def running_processes(command_id: str | None = None) -> list[int]:
    """Host pids of processes started by a Run Command (of `command_id` or one invocation's
    `run_marker`, or of any)."""
    wanted = f"{MARKER}={command_id}".encode() if command_id else f"{MARKER}=".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                variables = environ.read().split(b"\0")
        except OSError:
            continue
        if any(variable.startswith(wanted) for variable in variables):
            found.append(int(entry))
    return found


def _kill_marked(command_id: str) -> None:
    for pid in running_processes(command_id):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, process group id) of a host process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[2])


def run_marker(command_id: str, instance_id: str) -> str:
    """The marker's value for one invocation: its processes are found by the command id alone."""
    return f"{command_id}/{instance_id}"


def script_group(marker: str) -> int | None:
    """The process group of one invocation's script: the marked process whose parent is not marked
    (the `sh -c` that `docker exec` started) leads it. None before it started or once it ended."""
    marked = running_processes(marker)
    for pid in marked:
        stat = _stat(pid)
        if stat is not None and stat[0] not in marked and stat[1] == pid:
            return pid
    return None


def _group_members(group: int) -> bool:
    return any((_stat(int(entry)) or (0, 0))[1] == group for entry in os.listdir("/proc") if entry.isdigit())


def _kill_group(group: int | None, limit_seconds: float = 15.0) -> None:
    """SIGKILL to the script's process group, as the agent sends it. A process in a CPU-throttled
    cgroup dies only once it is scheduled: wait (bounded) until the group is empty."""
    if group is None:
        return
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:  # ProcessLookupError: the group is gone
            return
        if not _group_members(group):
            return
        time.sleep(0.1)


def _kill_until_gone(command_id: str, limit_seconds: float = 15.0) -> None:
    """The harness's reset only: every process of the command, in the group or not (bounded)."""
    deadline = time.monotonic() + limit_seconds
    while running_processes(command_id) and time.monotonic() < deadline:
        _kill_marked(command_id)
        time.sleep(0.1)


def _cancel_run(marker: str, run: Run, limit_seconds: float = 30.0) -> None:
    """Kills the script's group until its `docker exec` has returned: a cancel that arrives before
    the script has started inside the container must still stop it once it does."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        _kill_group(script_group(marker))
        if run.process is not None and run.process.poll() is not None:
            return
        time.sleep(0.1)
    if run.process is not None:
        run.process.kill()


def _execute(run: Run, timeout_seconds: float) -> None:
    command_id = run.command_id
    run.started = datetime.now(timezone.utc)
    run.process = subprocess.Popen(
        # Its own process group (and session), as the agent's Setpgid: a cancel kills that group.
        run.command.argv, env=run.command.env, preexec_fn=run.command.join_cgroups, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    run.status = "InProgress"
    try:
        stdout, stderr = run.process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        run.timed_out = True
        _kill_group(script_group(run_marker(command_id, run.instance_id)))
        run.process.kill()
        stdout, stderr = run.process.communicate()
    with run.lock:
        run.stdout, run.stderr = stdout[:STDOUT_LIMIT], stderr[:STDERR_LIMIT]
        run.response_code = run.process.returncode
        run.ended = datetime.now(timezone.utc)
        if run.cancelled:
            run.status = "Cancelled"
        elif run.timed_out:
            run.status = "TimedOut"
        else:
            run.status = "Success" if run.response_code == 0 else "Failed"


def invocation(run: Run, command_id: str, document: str) -> dict[str, Any]:
    with run.lock:
        return {
            "CommandId": command_id,
            "InstanceId": run.instance_id,
            "DocumentName": document,
            "PluginName": "aws:runShellScript",
            "ResponseCode": run.response_code,
            "ExecutionStartDateTime": run.started.isoformat() if run.started else "",
            "ExecutionEndDateTime": run.ended.isoformat() if run.ended else "",
            "Status": "Cancelling" if run.cancelled and run.status not in TERMINAL else run.status,
            "StatusDetails": "Cancelling" if run.cancelled and run.status not in TERMINAL else run.status,
            "StandardOutputContent": run.stdout,
            "StandardErrorContent": run.stderr,
        }


@dataclass
class RunCommand(Part):
    # Command id -> instance id -> its run.
    runs: dict[str, dict[str, Run]] = field(default_factory=dict)

    def reset(self) -> None:
        for command_id in list(self.runs):
            self.cancel(command_id)
            _kill_until_gone(command_id)
        super().reset()

    def run(self, command: Command) -> None:
        if command.document_name != "AWS-RunShellScript":
            return  # other documents stay as moto records them
        hosts = self.harness.part(InstanceHosts)
        instance_ids = list(command.instance_ids)
        script = "\n".join(command.parameters.get("commands", []))
        timeout = float((command.parameters.get("executionTimeout") or ["3600"])[0])
        scripts = {
            instance_id: hosts.script_command(instance_id, script, {MARKER: run_marker(command.command_id, instance_id)})
            for instance_id in instance_ids
        }
        missing = [instance_id for instance_id, started in scripts.items() if started is None]
        if missing:
            raise RESTError("InvalidInstanceId", f"Instances {missing} not in a valid state for account")
        started = self.runs.setdefault(command.command_id, {})
        for instance_id, script_command in scripts.items():
            assert script_command is not None
            run = Run(instance_id, script_command, command.command_id)
            started[instance_id] = run
            threading.Thread(target=_execute, args=(run, timeout), daemon=True,
                             name=f"ssm-{command.command_id[:8]}-{instance_id}").start()

    def cancel(self, command_id: str) -> None:
        for run in self.runs.get(command_id, {}).values():
            with run.lock:
                if run.status in TERMINAL or run.cancelled:
                    continue
                run.cancelled = True
            # Asynchronous, as in AWS: CancelCommand answers at once, the run ends as Cancelled.
            threading.Thread(target=_cancel_run, args=(run_marker(command_id, run.instance_id), run), daemon=True,
                             name=f"cancel-{command_id[:8]}-{run.instance_id}").start()

    def processes(self) -> list[int]:
        """Host pids of what this region's commands started: other regions on the machine (other
        test runs, other checkouts) run commands of their own."""
        return [pid for command_id in list(self.runs) for pid in running_processes(command_id)]

    def routes(self) -> Routes:
        return {("GET", "/_harness/run-command-processes"): lambda _body: {"runCommandPids": self.processes()}}

    def install(self) -> None:
        from moto.core.responses import ActionResult, EmptyResult
        from moto.ssm.models import SimpleSystemManagerBackend
        from moto.ssm.responses import SimpleSystemManagerResponse

        part = self
        send_command = SimpleSystemManagerBackend.send_command
        get_command_invocation = SimpleSystemManagerBackend.get_command_invocation

        def send_and_run(self: SimpleSystemManagerBackend, **kwargs: Any) -> Command:
            requested = list(kwargs.get("instance_ids") or [])
            command = send_command(self, **kwargs)
            if not kwargs.get("targets"):
                # moto adds every instance of the region when no Targets are given; AWS sends to the
                # InstanceIds named, and only to them.
                command.instance_ids = requested
                command.target_count = len(requested)
            try:
                part.run(command)
            except RESTError:
                self._commands.remove(command)
                raise
            return command

        def real_invocation(
            self: SimpleSystemManagerBackend, command_id: str, instance_id: str, plugin_name: str | None
        ) -> dict[str, Any]:
            command = self.get_command_by_id(command_id)
            run = part.runs.get(command_id, {}).get(instance_id)
            if run is None:
                if command.document_name == "AWS-RunShellScript":
                    raise RESTError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)")
                return get_command_invocation(self, command_id, instance_id, plugin_name)
            return invocation(run, command_id, command.document_name or "")

        def cancel_command(self: SimpleSystemManagerResponse) -> ActionResult:
            command_id = self._get_param("CommandId")
            self.ssm_backend.get_command_by_id(command_id)  # InvalidCommandId when unknown
            part.cancel(command_id)
            return EmptyResult()

        SimpleSystemManagerBackend.send_command = send_and_run
        SimpleSystemManagerBackend.get_command_invocation = real_invocation
        SimpleSystemManagerResponse.cancel_command = cancel_command
