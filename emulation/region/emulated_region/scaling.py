"""The scale test's part of the emulated region: Run Command that runs, CPU from the instances'
containers, and target tracking that scales (run_command.py, cpu.py, target_tracking.py), with
their control endpoints and reset."""

import threading
from collections.abc import Callable
from typing import Any

from . import cpu, instance_hosts, run_command, target_tracking
from .state import Harness

HARNESS_KEYS = ("instance_hosts", "run_command", "target_tracking", "scaling_activities", "metric_period_seconds")


def install(harness: Harness) -> None:
    run_command.install(harness)
    target_tracking.install(harness)
    reset = harness.reset

    def reset_scaling_too() -> None:
        reset()
        for command_id in list(run_command.runs(harness)):
            run_command.cancel(harness, command_id)
        for key in HARNESS_KEYS:
            harness.__dict__.pop(key, None)

    harness.reset = reset_scaling_too  # type: ignore[method-assign]


def control_routes(harness: Harness) -> dict[tuple[str, str], Callable[[Any], dict[str, Any]]]:
    def attach_host(body: dict[str, Any]) -> dict[str, Any]:
        instance_id, container = body.get("instanceId"), body.get("container")
        if not isinstance(instance_id, str) or not instance_id or not isinstance(container, str) or not container:
            raise ValueError("instanceId and container must be non-empty strings")
        instance_hosts.attach(harness, instance_id, container)
        return {"instanceHosts": instance_hosts.hosts(harness)}

    def metric_period(body: dict[str, Any]) -> dict[str, Any]:
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0.2 <= seconds <= 60:
            raise ValueError("seconds must be a number from 0.2 to 60")
        harness.__dict__["metric_period_seconds"] = float(seconds)
        return {"metricPeriodSeconds": target_tracking.metric_period(harness)}

    def running(_body: Any) -> dict[str, Any]:
        return {"runCommandPids": run_command.running_processes()}

    return {
        ("POST", "/_harness/instance-host"): attach_host,
        ("POST", "/_harness/metric-period"): metric_period,
        ("GET", "/_harness/run-command-processes"): running,
    }


def start(harness: Harness, stop: threading.Event) -> threading.Thread:
    """The shipped CPU path: every instance's container cgroup, never a fed-in number."""
    return cpu.run_publisher(harness, cpu.CgroupCpuSource(harness), stop)
