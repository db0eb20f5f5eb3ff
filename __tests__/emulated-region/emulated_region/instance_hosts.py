"""Which container is an emulated instance's operating system.

Documented simplification: an emulated EC2 instance's OS is one container (the live data plane
starts one per launched instance and runs the instance's user-data in it). Run Command executes
inside it, and its cgroup is the instance's CPU. The data plane registers each container it starts
with `attach`; a test may attach a container of its own through POST /_harness/instance-host.
"""

from .state import Harness


def hosts(harness: Harness) -> dict[str, str]:
    return harness.__dict__.setdefault("instance_hosts", {})


def attach(harness: Harness, instance_id: str, container: str) -> None:
    hosts(harness)[instance_id] = container


def detach(harness: Harness, instance_id: str) -> None:
    hosts(harness).pop(instance_id, None)


def container_of(harness: Harness, instance_id: str) -> str | None:
    return hosts(harness).get(instance_id)
