"""Which container stands for an emulated instance's operating system.

Documented simplification: the instance's OS is its app container. The live data plane
(dataplane/) boots each launched instance's real user-data, which starts that container with the
instance type's CPU cap; Run Command executes inside it, and its cgroup is the instance's CPU.
Without a data plane (control-plane tests) a test may attach a container of its own to an
instance through POST /_harness/instance-host; an attached container wins over the data plane's.
"""

from .state import Harness


def hosts(harness: Harness) -> dict[str, str]:
    return harness.__dict__.setdefault("instance_hosts", {})


def attach(harness: Harness, instance_id: str, container: str) -> None:
    hosts(harness)[instance_id] = container


def detach(harness: Harness, instance_id: str) -> None:
    hosts(harness).pop(instance_id, None)


def container_of(harness: Harness, instance_id: str) -> str | None:
    attached = hosts(harness).get(instance_id)
    if attached:
        return attached
    plane = getattr(harness, "data_plane", None)
    instance = plane.instances.get(instance_id) if plane is not None else None
    if instance is None or instance.stopping or instance.stopped:
        return None
    return str(instance.container_name)
