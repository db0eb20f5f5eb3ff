"""Which container stands for an emulated instance's operating system.

Documented simplification: the instance's OS is its app container. The live data plane
(dataplane/) boots each launched instance's real user-data, which starts that container with the
instance type's CPU cap; Run Command executes inside it, and its cgroup is the instance's CPU.
Without a data plane (control-plane tests) a test may attach a container of its own to an
instance through POST /_harness/instance-host; an attached container wins over the data plane's.
"""

from dataclasses import dataclass, field
from typing import Any

from .state import Part, Routes


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

    def attach_host(self, body: dict[str, Any]) -> dict[str, Any]:
        instance_id, container = body.get("instanceId"), body.get("container")
        if not isinstance(instance_id, str) or not instance_id or not isinstance(container, str) or not container:
            raise ValueError("instanceId and container must be non-empty strings")
        self.attach(instance_id, container)
        return {"instanceHosts": self.attached}

    def routes(self) -> Routes:
        return {("POST", "/_harness/instance-host"): self.attach_host}
