"""Where an emulated instance's operating system is: what Run Command runs on, what CPU it has.

The live data plane (dataplane/) boots each launched instance's real user-data on an emulated host
(its own /etc in a private mount namespace, its docker, its metadata), which starts the app
container with the instance type's CPU cap. AWS-RunShellScript runs on that host, as the SSM agent
runs it on EC2 (as root, where /etc/app/run-once and docker are), inside the app container's CPU
cgroup: documented simplification, the container's cgroup is the instance's CPU (cpu.py), so what
a script burns counts as the instance's, capped at its vCPUs.
Without a data plane (control-plane tests) a test may attach a container of its own to an
instance through POST /_harness/instance-host; the attached container is then the instance's whole
OS (scripts run inside it) and wins over the data plane's.
"""

import os
from dataclasses import dataclass, field
from typing import Any

from .state import Part, Routes


@dataclass
class ScriptCommand:
    argv: list[str]
    env: dict[str, str] | None  # None: this process's own
    cgroup_procs: list[str]  # the CPU cgroups the script joins before it runs (the instance's)

    def join_cgroups(self) -> None:
        """Runs in the child between fork and exec: only os-level calls (no locks to inherit)."""
        for path in self.cgroup_procs:
            try:
                descriptor = os.open(path, os.O_WRONLY)
                try:
                    os.write(descriptor, b"0")  # 0: the writing process itself
                finally:
                    os.close(descriptor)
            except OSError:
                pass  # the container just stopped: the script runs, its CPU is not counted


@dataclass
class InstanceHosts(Part):
    # Instance id -> the container a test attached to it.
    attached: dict[str, str] = field(default_factory=dict)

    def attach(self, instance_id: str, container: str) -> None:
        self.attached[instance_id] = container

    def container_of(self, instance_id: str) -> str | None:
        container = self.attached.get(instance_id)
        if container:
            return container
        plane = self.harness.data_plane
        instance = plane.instances.get(instance_id) if plane is not None else None
        if instance is None or instance.stopping or instance.stopped:
            return None
        return str(instance.container_name)

    def script_command(self, instance_id: str, script: str, env: dict[str, str]) -> "ScriptCommand | None":
        """How a Run Command script starts on the instance; None: no OS to run it (not a managed node)."""
        attached = self.attached.get(instance_id)
        if attached:
            settings = [f"--env={name}={value}" for name, value in env.items()]
            return ScriptCommand(["docker", "exec", *settings, attached, "sh", "-c", script], None, [])
        plane = self.harness.data_plane
        instance = plane.instances.get(instance_id) if plane is not None else None
        if instance is None or instance.stopping or instance.stopped or plane.runtime is None:
            return None
        argv, environment = plane.runtime.host_command(instance, script, env)
        return ScriptCommand(argv, environment, plane.runtime.cpu_cgroups(instance))

    def attach_host(self, body: dict[str, Any]) -> dict[str, Any]:
        instance_id, container = body.get("instanceId"), body.get("container")
        if not isinstance(instance_id, str) or not instance_id or not isinstance(container, str) or not container:
            raise ValueError("instanceId and container must be non-empty strings")
        self.attach(instance_id, container)
        return {"instanceHosts": self.attached}

    def routes(self) -> Routes:
        return {("POST", "/_harness/instance-host"): self.attach_host}
