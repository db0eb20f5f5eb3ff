"""The emulated region's live data plane (server.py --data-plane): instances that boot the real
release, real ALB health checks, a real load balancer process, container logs in CloudWatch Logs.

See the modules: instances (boot and stop), checks (health checks and reason codes), balancer
(haproxy per load balancer), logs (the awslogs driver's forwarding), addresses (loopback
addresses standing in for private IPs), metadata (IMDSv2 per instance), relay (the containers'
way to the region's databases).
"""

import hashlib
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from moto.autoscaling.models import FakeAutoScalingGroup
from moto.ec2.models.instances import InstanceBackend
from moto.elbv2.models import FakeTargetGroup, elbv2_backends

from ..health import deregistration_seconds
from ..state import Harness, Part, Routes
from ..versions import launch_source
from .addresses import LoopbackBlock
from .balancer import Balancer
from .checks import CheckSettings, TargetHealth, check_once
from .instances import Instance, InstanceRuntime
from .logs import LogTail, forward
from .metadata import Identity
from .requests import HaproxyRequests
from .relay import Relay, relay_into

LOOP_SECONDS = 0.05


def _backend_name(target_group_arn: str) -> str:
    return "tg_" + hashlib.sha1(target_group_arn.encode()).hexdigest()[:10]


class DataPlane(Part):
    """A part (see ../state.py) that the server adds only with --data-plane. Unlike the others it
    keeps the machine's resources it holds (runtime, addresses, health check pool) across resets,
    so its own reset stops what runs rather than restoring field defaults, and its loop ends with
    shutdown(), which stops the containers too, not with the server's stop event alone."""

    def __init__(self, harness: Harness, workdir: Path | None = None) -> None:
        self.harness = harness
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="emulated-data-plane-"))
        self.addresses = LoopbackBlock()
        self.runtime: InstanceRuntime | None = None
        self.instances: dict[str, Instance] = {}
        self.health: dict[tuple[str, str], TargetHealth] = {}
        self.balancers: dict[str, tuple[Any, Balancer]] = {}
        self.tails: dict[str, LogTail] = {}
        self.log_problems: dict[str, str] = {}
        self.stop_at: dict[str, float] = {}
        self.relays: dict[str, list[Relay]] = {}  # instance id -> its containers' database relays
        self.checks = ThreadPoolExecutor(max_workers=16, thread_name_prefix="health-check")
        self.hosts_file = self.workdir / "hosts"
        self.hosts_file.write_text("")
        self._stop = threading.Event()
        # What the load balancer metrics (../alb_metrics.py) count: the haproxies' request logs.
        self.request_source = HaproxyRequests(self, _backend_name)

    # -- wiring -------------------------------------------------------------------------------
    def start(self, endpoint: str, stop: threading.Event) -> None:
        # Containers are named after the server's port (emulated-<port>-<instance id>).
        name_prefix = f"emulated-{endpoint.rsplit(':', 1)[-1]}"
        databases = self._databases()
        self.runtime = InstanceRuntime(self.workdir / "instances", endpoint, name_prefix,
                                       databases.hosts_file if databases else None)
        self.runtime.remove_leftovers()
        threading.Thread(target=self._loop, name="data-plane", daemon=True).start()

    def install(self) -> None:
        self.harness.data_plane = self
        launch = FakeAutoScalingGroup.replace_autoscaling_group_instances
        terminate = InstanceBackend.terminate_instances
        plane = self

        def launch_and_boot(group: FakeAutoScalingGroup, count: int, tags: dict[str, str]) -> None:
            known = {state.instance.id for state in group.instance_states}
            launch(group, count, tags)
            for state in group.instance_states:
                if state.instance.id not in known:
                    plane.boot(state.instance)

        def terminate_after_draining(backend: InstanceBackend, instance_ids: list[str]) -> list:
            plane.schedule_stops(backend, instance_ids)
            return terminate(backend, instance_ids)

        FakeAutoScalingGroup.replace_autoscaling_group_instances = launch_and_boot
        InstanceBackend.terminate_instances = terminate_after_draining

    # -- instances ----------------------------------------------------------------------------
    def boot(self, instance: Any) -> None:
        if self.runtime is None:
            return
        source = launch_source(instance)
        user_data = source.template.get_version(source.version).user_data if source else None
        profile = (instance.iam_instance_profile or {}).get("Arn", "") if isinstance(
            getattr(instance, "iam_instance_profile", None), dict) else ""
        identity = Identity(
            instance_id=instance.id,
            availability_zone=instance.placement.zone,
            private_ip=instance.private_ip,
            instance_type=instance.instance_type,
            role_name=profile.rsplit("/", 1)[-1] or "emulated-instance-role",
        )
        self.instances[instance.id] = self.runtime.boot(identity, self.addresses.take(),
                                                        str(user_data) if user_data else None)

    def schedule_stops(self, backend: InstanceBackend, instance_ids: list[str]) -> None:
        """An instance leaving its target groups stops its container after the deregistration
        delay (the longest of its groups'), as Auto Scaling waits for draining before terminating."""
        now = self.harness.clock.now()
        target_groups = elbv2_backends[backend.account_id][backend.region_name].target_groups.values()
        for instance_id in instance_ids:
            instance = self.instances.get(instance_id)
            if instance is None or instance_id in self.stop_at:
                continue
            delays = [deregistration_seconds(self.harness, tg) for tg in target_groups if instance_id in tg.targets]
            self.stop_at[instance_id] = now + max(delays, default=0.0)
            instance.note(f"terminating: draining for {max(delays, default=0.0):g} s before docker stop")

    def _stop_instance(self, instance: Instance, graceful: bool = True) -> None:
        assert self.runtime is not None
        self.runtime.stop(instance, graceful)
        for relay in self.relays.pop(instance.identity.instance_id, []):
            relay.close()
        self.addresses.give_back(instance.address)

    # -- the instances' network to the databases -------------------------------------------------
    def _databases(self) -> Any:
        """The region's database part (server.py --database), or None."""
        from ..database import Databases  # here: database/ imports this package's addresses module

        try:
            return self.harness.part(Databases)
        except KeyError:
            return None

    def relay_container(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_harness/instance-container {instanceId, pid}: from the instance's docker shim, once
        podman initialised a container (its network namespace exists, its process has not started):
        a relay to each database of the region into that namespace (relay.py)."""
        instance_id, pid = body.get("instanceId"), body.get("pid")
        instance = self.instances.get(instance_id) if isinstance(instance_id, str) else None
        if instance is None or instance.stopping:
            raise ValueError(f"instanceId {instance_id!r} is not a running instance of this data plane")
        if not isinstance(pid, int) or pid <= 0:
            raise ValueError("pid must be the container's process id (docker inspect .State.Pid)")
        databases = self._databases()
        targets = [(entry.server.address, entry.server.port)
                   for entry in (databases.servers.values() if databases else [])]
        relays = relay_into(pid, targets)
        self.relays.setdefault(instance_id, []).extend(relays)
        instance.note(f"container process {pid}: relays to {len(relays)} database(s) in its network namespace")
        return {"relays": [f"{address}:{port}" for address, port in targets]}

    def routes(self) -> Routes:
        return {("POST", "/_harness/instance-container"): self.relay_container}

    # -- health -------------------------------------------------------------------------------
    def verdict(self, target_group: FakeTargetGroup, instance_id: str) -> tuple[str, str | None, str | None, float] | None:
        """(state, reason, description, since) from real checks, or None for a target this data
        plane does not run (moto's answer, or the harness's scripted one, stands)."""
        health = self.health.get((target_group.arn, instance_id))
        if health is None:
            if instance_id in self.instances and instance_id in target_group.targets:
                return ("initial", "Elb.RegistrationInProgress", "Target registration is in progress",
                        self.harness.clock.now())
            return None
        return (*health.state, health.since)

    def _run_check(self, key: tuple[str, str], instance: Instance, settings: CheckSettings) -> None:
        result = check_once(instance.address, instance.identity.private_ip, settings,
                            settings.timeout / self.harness.clock.scale)
        with self.harness.lock:
            health = self.health.get(key)
            if health is not None:
                health.record(result, settings, self.harness.clock.now())
                health.in_flight = False

    def _schedule_checks(self, target_groups: list[FakeTargetGroup], now: float) -> None:
        seen = set()
        for target_group in target_groups:
            if not target_group.health_check_enabled:
                continue
            settings = CheckSettings.of(target_group)
            for instance_id in target_group.targets:
                instance = self.instances.get(instance_id)
                if instance is None or instance.stopping:
                    continue
                key = (target_group.arn, instance_id)
                seen.add(key)
                health = self.health.setdefault(key, TargetHealth(registered_at=now, since=now, next_check_at=now))
                if not health.in_flight and now >= health.next_check_at:
                    health.in_flight = True
                    health.next_check_at = now + settings.interval
                    self.checks.submit(self._run_check, key, instance, settings)
        for key in set(self.health) - seen:
            del self.health[key]

    # -- load balancers -----------------------------------------------------------------------
    def _sync_balancers(self, backends: list[Any]) -> None:
        wanted_arns = set()
        for backend in backends:
            for load_balancer in backend.load_balancers.values():
                listeners = {}
                for listener in load_balancer.listeners.values():
                    forward_to = next((a.data.get("TargetGroupArn") for a in listener.default_actions
                                       if a.type == "forward"), None)
                    if forward_to:
                        listeners[int(listener.port)] = forward_to
                if not listeners:
                    continue
                wanted_arns.add(load_balancer.arn)
                layout = tuple(sorted(listeners.items()))
                existing = self.balancers.get(load_balancer.arn)
                if existing is None or existing[0] != layout:
                    address = existing[1].address if existing else self.addresses.take()
                    if existing:
                        existing[1].close()
                    balancer = Balancer(self.workdir / "balancers" / load_balancer.name, address,
                                        {port: _backend_name(arn) for port, arn in listeners.items()})
                    balancer.dns_name = load_balancer.dns_name  # type: ignore[attr-defined]
                    self.balancers[load_balancer.arn] = (layout, balancer)
                    self._write_hosts()
                _, balancer = self.balancers[load_balancer.arn]
                for arn in set(listeners.values()):
                    target_group = backend.target_groups.get(arn)
                    if target_group is not None:
                        balancer.route(_backend_name(arn), self._serving(target_group))
        for arn in set(self.balancers) - wanted_arns:
            self.balancers.pop(arn)[1].close()
            self._write_hosts()

    def _serving(self, target_group: FakeTargetGroup) -> dict[str, str]:
        """Healthy registered targets; every registered one when none is healthy (fail open)."""
        registered = {i: self.instances[i] for i in target_group.targets if i in self.instances
                      and not self.instances[i].stopping}
        healthy = {i: inst for i, inst in registered.items()
                   if (h := self.health.get((target_group.arn, i))) is not None and h.state[0] == "healthy"}
        chosen = healthy or registered
        return {i: f"{inst.address}:{target_group.port}" for i, inst in chosen.items()}

    def _write_hosts(self) -> None:
        lines = [f"{balancer.address} {balancer.dns_name}\n" for _, balancer in self.balancers.values()]  # type: ignore[attr-defined]
        self.hosts_file.write_text("".join(lines))

    # -- the loop -----------------------------------------------------------------------------
    def _forward_logs(self) -> None:
        for instance_id, instance in list(self.instances.items()):
            options = instance.awslogs()
            if options is None:
                continue
            tail = self.tails.setdefault(instance_id, LogTail(instance.log_file))
            problem = forward(tail, options)
            if problem and self.log_problems.get(instance_id) != problem:
                instance.note(problem)
                self.log_problems[instance_id] = problem

    def _tick(self) -> None:
        with self.harness.lock:
            now = self.harness.clock.now()
            backends = [backend for regions in elbv2_backends.values() for backend in regions.values()]
            target_groups = [tg for backend in backends for tg in backend.target_groups.values()]
            self._schedule_checks(target_groups, now)
            self._sync_balancers(backends)
            self._forward_logs()
            due = [i for i, at in self.stop_at.items() if now >= at]
            for instance_id in due:
                del self.stop_at[instance_id]
                threading.Thread(target=self._stop_instance, args=(self.instances[instance_id],),
                                 daemon=True).start()

    def _loop(self) -> None:
        while not self._stop.wait(LOOP_SECONDS):
            try:
                self._tick()
            except Exception as error:  # noqa: BLE001 - keep checking; the state endpoint shows it
                self.last_error = repr(error)

    # -- lifecycle ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Everything this data plane runs goes, at once (moto's reset dropped the models)."""
        instances, balancers = list(self.instances.values()), [b for _, b in self.balancers.values()]
        self.instances, self.health, self.balancers, self.tails, self.stop_at = {}, {}, {}, {}, {}
        self.log_problems = {}
        relays, self.relays = [r for kept in self.relays.values() for r in kept], {}
        for relay in relays:
            relay.close()
        for balancer in balancers:
            balancer.close()
            self.addresses.give_back(balancer.address)
        threads = [threading.Thread(target=self._stop_instance, args=(i, False)) for i in instances
                   if not i.stopped]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._write_hosts()

    def shutdown(self) -> None:
        self._stop.set()
        with self.harness.lock:  # no launch may start a boot while the fleet goes
            self.reset()
        if self.runtime:
            self.runtime.remove_leftovers()
        self.checks.shutdown(wait=False, cancel_futures=True)

    def memory(self) -> dict[str, int]:
        """Resident memory now, in bytes: this server (moto and the harness), its haproxies, and the
        instances' containers (their cgroup's RSS). What a budget of "the region" counts."""
        def rss_of(pid: int | str) -> int:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
            except OSError:
                pass
            return 0

        containers = 0
        for instance in list(self.instances.values()):
            if instance.stopped or self.runtime is None:
                continue
            container_id = self.runtime.container_id(instance)
            stat = Path(f"/sys/fs/cgroup/memory/libpod_parent/libpod-{container_id}/memory.stat")
            try:
                containers += next(int(line.split()[1]) for line in stat.read_text().splitlines()
                                   if line.startswith("total_rss "))
            except (OSError, StopIteration):
                pass
        return {
            "server": rss_of("self"),
            "loadBalancers": sum(rss_of(balancer.process.pid) for _, balancer in self.balancers.values()),
            "containers": containers,
        }

    def describe(self) -> dict[str, Any]:
        return {"dataPlane": self.summary()}

    def summary(self) -> dict[str, Any]:
        return {
            "memoryBytes": self.memory(),
            "hostsFile": str(self.hosts_file),
            "loadBalancers": {balancer.dns_name: balancer.address  # type: ignore[attr-defined]
                              for _, balancer in self.balancers.values()},
            "instances": {i: inst.describe() for i, inst in self.instances.items()},
            "targets": {f"{arn} {i}": {"state": h.state[0], "reason": h.state[1], "checks": h.checks,
                                       "history": h.history} for (arn, i), h in self.health.items()},
            "lastError": getattr(self, "last_error", None),
        }
