"""The live data plane (server.py --data-plane) with real containers: instances boot their user-data,
health checks are real HTTP, haproxy serves the load balancer's address, logs reach CloudWatch Logs.

The "release" here is the container runtime's base image running a few lines of Python that answer
/health/ with the status the launch template version names, so a defect is a real 500 or a real
closed port, not a scripted verdict. Needs the machine's container runtime
(emulation/container-runtime/runtime.sh up), as the deploy suite does.
"""

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import AMI, REGION, Region, Stack

RUNTIME = Path(__file__).parents[1] / "container-runtime/runtime.sh"
TIME_SCALE = 5
LOG_GROUP = "/web/app"
# The app: answers every GET with STATUS and logs one line per request to stdout.
APP = (
    "import http.server,sys;S=int(sys.argv[1])\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    " def do_GET(s):\n"
    "  s.send_response(S);s.send_header('Content-Length','2');s.end_headers();s.wfile.write(b'ok')\n"
    "  print('GET',s.path,S,flush=True)\n"
    "print('listening on 8000',flush=True)\n"
    "http.server.ThreadingHTTPServer(('0.0.0.0',8000),H).serve_forever()\n"
)


def user_data(image: str, status: int, host_port: int = 80) -> str:
    script = f"""#!/bin/bash
set -euo pipefail
token=$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
instance_id=$(curl -sS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)
dnf install -y docker
docker run --detach --name web --restart always --publish {host_port}:8000 --stop-timeout 5 \\
  --read-only --cap-drop ALL --security-opt no-new-privileges \\
  --log-driver awslogs --log-opt awslogs-region={REGION} --log-opt awslogs-group={LOG_GROUP} \\
  --log-opt awslogs-stream="$instance_id" '{image}' python3 -c "$(cat <<'APP'
{APP}APP
)" {status}
"""
    return base64.b64encode(script.encode()).decode()


def runtime_env() -> dict[str, str]:
    subprocess.run(["bash", str(RUNTIME), "up"], check=True, capture_output=True, timeout=600)
    printed = subprocess.run(
        ["bash", "-c", 'eval "$(bash "$0" env)" && env -0', str(RUNTIME)], check=True, capture_output=True
    ).stdout.decode()
    variables = dict(entry.split("=", 1) for entry in printed.split("\0") if "=" in entry)
    return {name: variables[name] for name in ("DOCKER_HOST", "TEST_BASE_IMAGE")}


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, str, dict[str, str]]]:
    env = runtime_env()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("server.py")), "--port", "0", "--time-scale",
         str(TIME_SCALE), "--data-plane"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, **env},
    )
    assert server.stdout is not None and server.stdin is not None
    ready = server.stdout.readline().split()
    assert ready[:1] == ["EMULATED_REGION_READY"], f"server did not start: {ready}"
    yield ready[1], env["TEST_BASE_IMAGE"], env
    server.stdin.close()
    assert server.wait(timeout=60) == 0


@pytest.fixture
def region(live: tuple[str, str, dict[str, str]]) -> Region:
    region = Region(live[0])
    region.control("/moto-api/reset", {})
    return region


def seed(region: Region, image: str, versions: list[tuple[int, int]], grace_seconds: int = 300) -> Stack:
    """A group on version 1 behind an ALB, with one launch template version per (status, port).

    Auto Scaling replaces an instance still failing its checks after the grace period
    (health_replacement.py), seeded ones included: 300 s (60 s real) is a boot budget a busy machine
    meets, where 10 s (2 s real) was not always."""
    ec2, elbv2, autoscaling = region.ec2, region.elbv2, region.autoscaling
    region.client("logs").create_log_group(logGroupName=LOG_GROUP)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{REGION}{z}")
               ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    (status, port), *later = versions
    template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.micro", "UserData": user_data(image, status, port)})["LaunchTemplate"]
    for status, port in later:
        ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"], LaunchTemplateData={
            "ImageId": AMI, "InstanceType": "t3.micro", "UserData": user_data(image, status, port)})
    balancer = elbv2.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]
    target_group = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/health/", HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2, UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(TargetGroupArn=target_group, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "10"}])
    elbv2.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}])
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web", MinSize=1, DesiredCapacity=2, MaxSize=4,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "1"},
        VPCZoneIdentifier=",".join(subnets), TargetGroupARNs=[target_group], HealthCheckType="ELB",
        HealthCheckGracePeriod=grace_seconds,
    )
    stack = Stack("web", template["LaunchTemplateId"], target_group)
    stack.dns_name = balancer["DNSName"]  # type: ignore[attr-defined]
    region.wait_until(lambda: [t[1] for t in region.targets(stack)] == ["healthy", "healthy"], timeout=60)
    return stack


def data_plane(region: Region) -> dict:
    return region.control("/_harness/state")["dataPlane"]


def test_instances_boot_pass_real_checks_and_serve_through_the_load_balancer(
    region: Region, live: tuple[str, str, dict[str, str]]
) -> None:
    stack = seed(region, live[1], [(200, 80)])

    plane = data_plane(region)
    address = plane["loadBalancers"][stack.dns_name]  # type: ignore[attr-defined]
    assert Path(plane["hostsFile"]).read_text() == f"{address} {stack.dns_name}\n"  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"http://{address}/health/", timeout=5) as answer:
        assert answer.status == 200
    instances = plane["instances"].values()
    assert {instance["bootExitCode"] for instance in instances} == {0}
    assert {instance["cpus"] for instance in instances} == {0.5}  # t3.micro: 2 vCPUs x 0.25
    assert all(instance["address"].startswith("127.") for instance in instances)
    # The health checker's requests, as the container logged them, in the group/stream user-data named.
    logs = region.client("logs")
    instance_id = next(iter(plane["instances"]))
    region.wait_until(lambda: any("GET /health/ 200" in event["message"] for event in logs.get_log_events(
        logGroupName=LOG_GROUP, logStreamName=instance_id)["events"]), timeout=20)


def until_replaced_after_failing(region: Region, stack: Stack, refresh_id: str) -> set[tuple[str, str, str | None, str | None]]:
    """Waits until Auto Scaling has replaced a new instance that failed its real health checks (the
    refresh waits and retries, as AWS does for an hour); returns every target state seen meanwhile."""
    seen: set[tuple[str, str, str | None, str | None]] = set()

    def replaced() -> bool:
        seen.update(region.targets(stack))
        return "replaced after failing them" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or "")

    region.wait_until(replaced, timeout=240)
    return seen


def test_a_release_answering_500_is_replaced_by_real_health_checks_then_rolled_back(
    region: Region, live: tuple[str, str, dict[str, str]]
) -> None:
    # The replacement's container answers within the grace period (seed's), so its reason is the
    # app's 500, not "nothing answers yet" (Target.FailedHealthChecks).
    stack = seed(region, live[1], [(200, 80), (500, 80)])
    old_instances = region.in_service_versions(stack)
    refresh_id = region.start_refresh(stack, AutoRollback=True)

    seen = {state[1:] for state in until_replaced_after_failing(region, stack, refresh_id)}

    # AWS retries for an hour before its own rollback (test_unhealthy_replacement.py); the action
    # rolls back on its fast verdict instead, as here.
    assert region.describe_refresh(stack, refresh_id)["Status"] == "InProgress"
    assert ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress") in seen
    assert ("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]") in seen
    region.autoscaling.rollback_instance_refresh(AutoScalingGroupName=stack.group)
    refresh = region.wait_for_refresh(stack, refresh_id, timeout=120)
    assert refresh.statuses[-1] == "RollbackSuccessful"
    assert region.group(stack)["LaunchTemplate"]["Version"] == "1"
    assert region.in_service_versions(stack) == old_instances


def test_a_closed_port_keeps_the_refresh_replacing_until_it_is_cancelled(
    region: Region, live: tuple[str, str, dict[str, str]]
) -> None:
    # User-data publishing the wrong host port: nothing answers on port 80.
    stack = seed(region, live[1], [(200, 80), (200, 8080)])
    refresh_id = region.start_refresh(stack, AutoRollback=False)

    seen = {state[1:3] for state in until_replaced_after_failing(region, stack, refresh_id)}

    assert ("unhealthy", "Target.FailedHealthChecks") in seen
    region.autoscaling.cancel_instance_refresh(AutoScalingGroupName=stack.group)
    refresh = region.wait_for_refresh(stack, refresh_id, timeout=120)
    assert refresh.statuses[-1] == "Cancelled"


def test_a_terminated_instance_drains_then_its_container_stops(
    region: Region, live: tuple[str, str, dict[str, str]]
) -> None:
    stack = seed(region, live[1], [(200, 80)])
    region.autoscaling.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=1)

    draining = [t[0] for t in region.targets(stack) if t[1:3] == ("draining", "Target.DeregistrationInProgress")]
    assert len(draining) == 1
    instance = data_plane(region)["instances"][draining[0]]
    assert not instance["stopped"]
    region.wait_until(lambda: data_plane(region)["instances"][draining[0]]["stopped"], timeout=30)
    events = {entry["event"].split(":")[0]: entry["at"] for entry in data_plane(region)["instances"][draining[0]]["events"]}
    # Deregistration delay 10 s at time scale 5: docker stop no sooner than 2 s after termination.
    assert events["docker stop"] - events["terminating"] >= 10 / TIME_SCALE - 0.2
    names = subprocess.run(["docker", "ps", "--all", "--format", "{{.Names}}"], capture_output=True, text=True,
                           env={**os.environ, **live[2]}).stdout.split()
    assert instance["containerName"] not in names
