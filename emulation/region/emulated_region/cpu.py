"""Each emulated instance's real CPU, published as AWS/EC2 CPUUtilization, driving target tracking.

An instance's CPU is its container's: cgroup v1 `cpuacct.usage` (nanoseconds of CPU used), read
as a delta over each metric period and divided by the container's CPU cap (`--cpus`, NanoCpus),
so a container burning its whole quota reads 100%, as an instance burning all its vCPUs does.
(`docker stats` and `podman stats` average since start and are wrong for this.)

Every simulated minute (AWS's detailed-monitoring period; 60 / timeScale real seconds) the
publisher puts one datapoint per instance (dimension InstanceId) and one
for each group with a CPU target tracking policy (dimension AutoScalingGroupName, the average of
its instances that are past their warmup and have a measurement), then lets target tracking
evaluate the group's alarms. An instance without a container has no datapoint, as an instance
whose metrics have not arrived yet. Each datapoint is stamped with the simulated date, on the
minute, so a query at Period 60 finds one datapoint per period, as from AWS.
"""

import glob
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from moto.cloudwatch.models import cloudwatch_backends

from . import target_tracking
from .instance_hosts import InstanceHosts
from .state import Harness, Part
from .versions import launched_at

CGROUP_ROOTS = ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct")


class CpuSource(Protocol):
    def percent(self, instance_id: str) -> float | None:
        """CPU used since the previous call, in percent of the instance's capacity; None: no data."""


class CgroupCpuSource:
    """The shipped source: the instance's container, measured from its cgroup against its cap."""

    def __init__(self, harness: Harness, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.harness = harness
        self.monotonic = monotonic
        self.previous: dict[str, tuple[float, int]] = {}
        self.containers: dict[str, tuple[str, float]] = {}  # container name -> (usage file, cap in CPUs)

    def _describe(self, container: str) -> tuple[str, float] | None:
        if container not in self.containers:
            inspected = subprocess.run(
                ["docker", "inspect", "--format", "{{.Id}} {{.HostConfig.NanoCpus}}", container],
                capture_output=True, text=True, timeout=20, check=False,
            )
            if inspected.returncode != 0:
                return None
            container_id, nano_cpus = inspected.stdout.split()
            usage = next(
                (path for root in CGROUP_ROOTS
                 for path in glob.glob(f"{root}/**/*{container_id}*/cpuacct.usage", recursive=True)),
                None,
            )
            if usage is None:
                return None
            cap = int(nano_cpus) / 1e9 if int(nano_cpus) > 0 else float(os.cpu_count() or 1)
            self.containers[container] = (usage, cap)
        return self.containers[container]

    def percent(self, instance_id: str) -> float | None:
        container = self.harness.part(InstanceHosts).container_of(instance_id)
        described = self._describe(container) if container else None
        if described is None:
            self.previous.pop(instance_id, None)
            return None
        usage_file, cap = described
        try:
            with open(usage_file, encoding="ascii") as usage:
                used = int(usage.read())
        except OSError:  # the container stopped
            self.containers.pop(container, None)  # type: ignore[arg-type]
            return None
        now = self.monotonic()
        before = self.previous.get(instance_id)
        self.previous[instance_id] = (now, used)
        if before is None or now <= before[0]:
            return None
        return min(100.0, max(0.0, (used - before[1]) / ((now - before[0]) * 1e9 * cap) * 100))


def datapoint_time(harness: Harness) -> datetime:
    """The simulated date of this period's datapoints, on its minute (naive UTC, as moto keeps them)."""
    seconds = harness.clock.wall()
    return datetime.fromtimestamp(seconds - seconds % target_tracking.PERIOD_SECONDS, timezone.utc).replace(tzinfo=None)


def publish_period(harness: Harness, source: CpuSource) -> None:
    """One metric period: a datapoint per instance and per tracked group, then alarm evaluation."""
    stamp = datapoint_time(harness)
    for entry in list(harness.part(target_tracking.TargetTracking).tracked.values()):
        group = entry.backend.autoscaling_groups.get(entry.group_name)
        if group is None:
            continue
        watch = cloudwatch_backends[entry.backend.account_id][entry.backend.region_name]
        warmup = target_tracking._warmup_seconds(entry.policy, group)
        counted: list[float] = []
        metric_data = []
        for state in group.instance_states:
            instance = state.instance
            value = source.percent(instance.id)
            if value is None:
                continue
            metric_data.append({"MetricName": "CPUUtilization", "Value": value, "Unit": "Percent", "Timestamp": stamp,
                                "Dimensions": [{"Name": "InstanceId", "Value": instance.id}]})
            if harness.clock.now() - launched_at(instance) >= warmup:
                counted.append(value)
        group_cpu = sum(counted) / len(counted) if counted else None
        if group_cpu is not None:
            metric_data.append({"MetricName": "CPUUtilization", "Value": group_cpu, "Unit": "Percent", "Timestamp": stamp,
                                "Dimensions": [{"Name": "AutoScalingGroupName", "Value": group.name}]})
        if metric_data:
            watch.put_metric_data("AWS/EC2", metric_data)
        target_tracking.evaluate(harness, entry, group_cpu)


def run_publisher(harness: Harness, source: CpuSource, stop: threading.Event) -> threading.Thread:
    """Publishes every metric period until `stop` is set."""

    def loop() -> None:
        while not stop.wait(target_tracking.metric_period(harness)):
            with harness.lock:
                publish_period(harness, source)

    thread = threading.Thread(target=loop, name="cpu-publisher", daemon=True)
    thread.start()
    return thread


@dataclass
class CpuMetrics(Part):
    def start(self, endpoint: str, stop: threading.Event) -> None:
        """The shipped CPU path: every instance's container cgroup, never a fed-in number."""
        run_publisher(self.harness, CgroupCpuSource(self.harness), stop)
