"""Fixtures: one emulated-region server (started through its CLI) for the session, reset before
every test, and a stack seeded through boto3 the way Terraform would create it."""

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
import pytest

REGION = "eu-west-1"
AMI = "ami-0123456789abcdef0"
ACTIVE = {"Pending", "InProgress", "Baking", "Cancelling", "RollbackInProgress"}
# Simulated seconds per real second while a test reads a passing state: an hour of real time per
# 3.6 simulated seconds, so no machine is slow enough for the state to pass before it is read.
HELD_TIME_SCALE = 0.001


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("server.py")), "--port", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    ready = server.stdout.readline().split()
    assert ready[:1] == ["EMULATED_REGION_READY"], f"server did not start: {ready}"
    yield ready[1]
    server.stdin.close()
    assert server.wait(timeout=10) == 0


@dataclass
class Stack:
    group: str
    template_id: str
    target_group_arn: str


@dataclass
class Refresh:
    final: dict[str, Any]
    statuses: list[str]
    # Every (instance, state, reason, description) seen in the target group while it ran.
    target_states: set[tuple[str, str, str | None, str | None]]
    # Most in-service instances seen while it ran, and fewest of them with every target healthy.
    most_in_service: int
    fewest_healthy: int


class Region:
    """boto3 clients on the emulated region, the harness's control API, and polling helpers."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.ec2 = self.client("ec2")
        self.elbv2 = self.client("elbv2")
        self.autoscaling = self.client("autoscaling")

    def client(self, service: str, **config: Any) -> Any:
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION, config=Config(**config),
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}{path}", data=data)) as response:
            return json.load(response) if path.startswith("/_harness/") else {}

    @contextmanager
    def held_clock(self) -> Iterator[None]:
        """Simulated time all but stands still inside the block (it stays continuous), then runs at
        the scale it had: a state that lasts simulated seconds (initial, draining) is read however
        slowly a busy machine answers."""
        scale = self.control("/_harness/state")["settings"]["timeScale"]
        self.control("/_harness/settings", {"timeScale": HELD_TIME_SCALE})
        try:
            yield
        finally:
            self.control("/_harness/settings", {"timeScale": scale})

    def seed(self, group_version: str = "1", health_check_type: str = "ELB") -> Stack:
        vpc = self.ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")
            for i, zone in enumerate("ab")
        ]
        template = self.ec2.create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"}
        )["LaunchTemplate"]["LaunchTemplateId"]
        self.ec2.create_launch_template_version(
            LaunchTemplateId=template, LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.small"}
        )
        target_group = self.elbv2.create_target_group(
            Name="web", Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/health/"
        )["TargetGroups"][0]["TargetGroupArn"]
        self.autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="web", MinSize=1, DesiredCapacity=2, MaxSize=5,
            LaunchTemplate={"LaunchTemplateId": template, "Version": group_version},
            VPCZoneIdentifier=",".join(subnet["Subnet"]["SubnetId"] for subnet in subnets),
            TargetGroupARNs=[target_group], HealthCheckType=health_check_type, HealthCheckGracePeriod=30,
        )
        return Stack("web", template, target_group)

    def start_refresh(self, stack: Stack, version: str | None = "2", **preferences: Any) -> str:
        request: dict[str, Any] = {
            "AutoScalingGroupName": stack.group,
            # A preference given as None is left out of the request.
            "Preferences": {name: value for name, value in {
                "MinHealthyPercentage": 100, "MaxHealthyPercentage": 200, "InstanceWarmup": 30, **preferences,
            }.items() if value is not None},
        }
        if version is not None:
            request["DesiredConfiguration"] = {"LaunchTemplate": {"LaunchTemplateId": stack.template_id,
                                                                  "Version": version}}
        return self.autoscaling.start_instance_refresh(**request)["InstanceRefreshId"]

    def describe_refresh(self, stack: Stack, refresh_id: str) -> dict[str, Any]:
        return self.autoscaling.describe_instance_refreshes(
            AutoScalingGroupName=stack.group, InstanceRefreshIds=[refresh_id]
        )["InstanceRefreshes"][0]

    def wait_for_refresh(self, stack: Stack, refresh_id: str, timeout: float = 20) -> Refresh:
        statuses: list[str] = []
        target_states: set[tuple[str, str, str | None, str | None]] = set()
        in_service: list[int] = []
        healthy: list[int] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            refresh = self.describe_refresh(stack, refresh_id)
            if not statuses or statuses[-1] != refresh["Status"]:
                statuses.append(refresh["Status"])
            before = self.in_service_versions(stack)
            targets = self.targets(stack)
            target_states |= set(targets)
            instances = self.in_service_versions(stack)
            # A capacity sample counts only when the group did not change while its targets were
            # read: on a loaded machine the region's clock (100x) can move a whole replacement step
            # between two calls, and mixing two moments would report capacity that never existed.
            if before.keys() == instances.keys():
                in_service.append(len(instances))
                healthy.append(sum(1 for target in targets if target[0] in instances and target[1] == "healthy"))
            if refresh["Status"] not in ACTIVE:
                assert in_service, f"no consistent capacity sample while refresh {refresh_id} ran"
                return Refresh(refresh, statuses, target_states, max(in_service), min(healthy))
            time.sleep(0.05)
        raise AssertionError(f"refresh {refresh_id} still active after {timeout}s: {statuses}")

    @staticmethod
    def wait_until(condition: Callable[[], bool], timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(0.05)
        return True

    def targets(self, stack: Stack) -> list[tuple[str, str, str | None, str | None]]:
        descriptions = self.elbv2.describe_target_health(TargetGroupArn=stack.target_group_arn)
        return [
            (d["Target"]["Id"], d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"),
             d["TargetHealth"].get("Description"))
            for d in descriptions["TargetHealthDescriptions"]
        ]

    def group(self, stack: Stack) -> dict[str, Any]:
        return self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.group])[
            "AutoScalingGroups"
        ][0]

    def in_service_versions(self, stack: Stack) -> dict[str, str]:
        return {
            instance["InstanceId"]: instance["LaunchTemplate"]["Version"]
            for instance in self.group(stack)["Instances"]
            if instance["LifecycleState"] == "InService"
        }


@pytest.fixture
def region(endpoint: str) -> Region:
    region = Region(endpoint)
    region.control("/moto-api/reset", {})
    # A minute of health checks per new target (0.6 s real) keeps the suite quick; the test of
    # target-group-derived timing switches back to it.
    region.control("/_harness/settings", {"healthCheckSeconds": 60})
    return region


@pytest.fixture
def stack(region: Region) -> Stack:
    return region.seed()
