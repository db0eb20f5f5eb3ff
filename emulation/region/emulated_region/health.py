"""Target health that moves the way an ALB's does, instead of moto's instant and permanent `healthy`.

- With the live data plane (server.py --data-plane), an instance it runs gets its state and reason
  code from real HTTP health checks (dataplane/checks.py).
- Without it (control-plane tests, no container runs): a target registered after its Auto Scaling
  group was created (a refresh's replacement, a scale-out, a RegisterTargets call) is `initial`
  for one health check interval, then `healthy`: "After your target is registered, it must pass
  one health check to be considered healthy" (ALB user guide, "Health checks for Application Load
  Balancer target groups"); HealthyThresholdCount counts only for an unhealthy target becoming
  healthy again. Instances present when the group was created stand for a fleet that was already
  serving and keep moto's `healthy`.
- A forced fault (/_harness/unhealthy-instance) overrides either: it stays for what a real
  container cannot produce (Elb.InternalError) and for control-plane tests.
- A faulty release (/_harness/unhealthy-version): every instance launched from that launch
  template version, replacements included, is `initial` for interval x unhealthy threshold after
  it registers, then `unhealthy` with the given reason, as a broken release's checks would be.
- A terminated instance drains for the deregistration delay, then leaves the target group.
"""

from dataclasses import dataclass, field
from typing import Any

from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.ec2.exceptions import InvalidInstanceIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.instances import InstanceBackend
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends

from .state import Harness, Part, Routes
from .versions import launch_source, launched_at


@dataclass(frozen=True)
class TargetFault:
    """A target health answer forced by a test, whatever the instance's launch template version."""

    state: str
    reason: str
    description: str
    since: float


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str | None
    description: str | None
    since: float  # simulated time the target entered this state


REGISTERING = ("initial", "Elb.RegistrationInProgress", "Target registration is in progress")

# Reason codes a test may force on a target, with the state and description AWS reports for each.
FORCEABLE_REASONS = {
    "Target.FailedHealthChecks": ("unhealthy", "Health checks failed"),
    "Target.ResponseCodeMismatch": ("unhealthy", "Health checks failed with these codes: [400]"),
    "Target.Timeout": ("unhealthy", "Request timed out"),
    "Elb.InternalError": ("unhealthy", "Health checks failed due to an internal error"),
    "Elb.InitialHealthChecking": ("initial", "Initial health checks in progress"),
}

_SEVERITY = {"unhealthy": 0, "initial": 1, "healthy": 2}


def _registered_at(target_group: FakeTargetGroup) -> dict[str, float]:
    return target_group.__dict__.setdefault("harness_registered_at", {})


def _draining_until(target_group: FakeTargetGroup) -> dict[str, float]:
    return target_group.__dict__.setdefault("harness_draining_until", {})


def health_check_seconds(harness: Harness, target_group: FakeTargetGroup, failing: bool) -> float:
    """How long a new target's checks take to reach a verdict: one passing check to turn healthy,
    unhealthy threshold failing checks in a row to turn unhealthy."""
    if harness.settings.health_check_seconds is not None:
        return harness.settings.health_check_seconds
    threshold = int(target_group.unhealthy_threshold_count) if failing else 1
    return int(target_group.health_check_interval_seconds) * threshold


def deregistration_seconds(harness: Harness, target_group: FakeTargetGroup) -> float:
    if harness.settings.deregistration_seconds is not None:
        return harness.settings.deregistration_seconds
    return float(target_group.attributes["deregistration_delay.timeout_seconds"])


def target_verdict(harness: Harness, target_group: FakeTargetGroup, instance_id: str) -> Verdict | None:
    """The harness's answer for a target, or None where moto's own answer stands."""
    fault = harness.part(TargetHealth).faults.get(instance_id)
    if fault:
        return Verdict(fault.state, fault.reason, fault.description, fault.since)
    live = harness.data_plane.verdict(target_group, instance_id) if harness.data_plane else None
    if live is not None:
        return Verdict(*live)
    registered_at = _registered_at(target_group).get(instance_id)
    if registered_at is None:
        return None
    version_fault = harness.part(TargetHealth).version_fault(target_group, instance_id)
    checked_at = registered_at + health_check_seconds(harness, target_group, failing=version_fault is not None)
    if harness.clock.now() < checked_at:
        return Verdict(*REGISTERING, since=registered_at)
    if version_fault:
        state, description = FORCEABLE_REASONS[version_fault]
        return Verdict(state, version_fault, description, since=checked_at)
    return Verdict("healthy", None, None, since=checked_at)


def instance_health(harness: Harness, group: FakeAutoScalingGroup, instance_id: str) -> Verdict:
    """The group's view of one of its instances: with ELB health checks, its worst target verdict;
    with EC2 health checks, a running instance is healthy from launch."""
    state = next(state for state in group.instance_states if state.instance.id == instance_id)
    healthy_since_launch = Verdict("healthy", None, None, since=launched_at(state.instance))
    if group.health_check_type != "ELB":
        return healthy_since_launch
    target_groups = elbv2_backends[group.account_id][group.region].target_groups
    verdicts = [
        target_verdict(harness, target_groups[arn], instance_id) or healthy_since_launch
        for arn in group.target_group_arns
        if arn in target_groups
    ]
    return min(verdicts, key=lambda verdict: _SEVERITY[verdict.state], default=healthy_since_launch)


def health_check_interval(group: FakeAutoScalingGroup) -> float:
    """How long Auto Scaling takes to notice an unhealthy target: one health check interval."""
    target_groups = elbv2_backends[group.account_id][group.region].target_groups
    intervals = [
        int(target_groups[arn].health_check_interval_seconds)
        for arn in group.target_group_arns
        if arn in target_groups
    ]
    return min(intervals, default=0)


@dataclass
class TargetHealth(Part):
    faults: dict[str, TargetFault] = field(default_factory=dict)
    # Launch template version ("2") -> the reason code every instance launched from it fails with.
    version_faults: dict[str, str] = field(default_factory=dict)
    # True while CreateAutoScalingGroup runs: its instances stand for a fleet that was already up.
    seeding: bool = False

    def force_fault(self, instance_id: str, reason: str) -> TargetFault:
        if reason not in FORCEABLE_REASONS:
            raise ValueError(f"reasonCode must be one of {', '.join(FORCEABLE_REASONS)}")
        state, description = FORCEABLE_REASONS[reason]
        fault = TargetFault(state, reason, description, self.harness.clock.now())
        self.faults[instance_id] = fault
        return fault

    def version_fault(self, target_group: FakeTargetGroup, instance_id: str) -> str | None:
        if not self.version_faults:
            return None
        try:
            instance = ec2_backends[target_group.account_id][target_group.region_name].get_instance(instance_id)
        except InvalidInstanceIdError:
            return None
        source = launch_source(instance)
        return self.version_faults.get(str(source.version)) if source else None

    def mark_unhealthy_version(self, body: dict[str, Any]) -> dict[str, Any]:
        version, reason = body.get("launchTemplateVersion"), body.get("reasonCode", "Target.FailedHealthChecks")
        if not isinstance(version, str) or not version.isdigit():
            raise ValueError("launchTemplateVersion must be a launch template version number, as a string")
        if reason not in FORCEABLE_REASONS or FORCEABLE_REASONS[reason][0] != "unhealthy":
            unhealthy = [code for code, (state, _) in FORCEABLE_REASONS.items() if state == "unhealthy"]
            raise ValueError(f"reasonCode must be one of {', '.join(unhealthy)}")
        self.version_faults[version] = reason
        return self.harness.describe()

    def mark_unhealthy_instance(self, body: dict[str, Any]) -> dict[str, Any]:
        instance_id = body.get("instanceId")
        if not isinstance(instance_id, str) or not instance_id:
            raise ValueError("instanceId must be an instance id")
        self.force_fault(instance_id, body.get("reasonCode", "Target.FailedHealthChecks"))
        return self.harness.describe()

    def routes(self) -> Routes:
        return {
            ("POST", "/_harness/unhealthy-instance"): self.mark_unhealthy_instance,
            ("POST", "/_harness/unhealthy-version"): self.mark_unhealthy_version,
        }

    def describe(self) -> dict[str, Any]:
        return {
            "unhealthyInstances": {
                instance_id: {"state": fault.state, "reasonCode": fault.reason, "description": fault.description}
                for instance_id, fault in self.faults.items()
            },
            "unhealthyVersions": dict(self.version_faults),
        }

    def install(self) -> None:
        harness, part = self.harness, self
        register = FakeTargetGroup.register
        moto_health_for = FakeTargetGroup.health_for
        describe_target_health = ELBv2Backend.describe_target_health
        terminate_instances = InstanceBackend.terminate_instances
        create_auto_scaling_group = AutoScalingBackend.create_auto_scaling_group
        notify_terminate_instances = AutoScalingBackend.notify_terminate_instances

        def register_with_time(self: FakeTargetGroup, targets: list[dict]) -> None:
            new_ids = [target["Id"] for target in targets if target["Id"] not in self.targets]
            register(self, targets)
            for target_id in new_ids:
                _draining_until(self).pop(target_id, None)
                self.terminated_targets.pop(target_id, None)
                if not part.seeding:
                    _registered_at(self)[target_id] = harness.clock.now()

        def health_with_verdict(self: FakeTargetGroup, target: dict, ec2_backend: object) -> FakeHealthStatus:
            status = moto_health_for(self, target, ec2_backend)
            verdict = target_verdict(harness, self, target["Id"]) if status.status == "healthy" else None
            if verdict:
                status.status, status.reason, status.description = verdict.state, verdict.reason, verdict.description
            return status

        def describe_with_draining(self: ELBv2Backend, target_group_arn: str, targets: list[dict]) -> list:
            target_group = self.target_groups.get(target_group_arn)
            if target_group is not None:
                draining = _draining_until(target_group)
                for target_id, until in list(draining.items()):
                    if harness.clock.now() >= until:
                        del draining[target_id]
                        target_group.terminated_targets.pop(target_id, None)
                if not targets:
                    targets = [*target_group.targets.values(), *target_group.terminated_targets.values()]
            return describe_target_health(self, target_group_arn, targets)

        def terminate_and_drain(self: InstanceBackend, instance_ids: list[str]) -> list:
            terminated = terminate_instances(self, instance_ids)
            for target_group in elbv2_backends[self.account_id][self.region_name].target_groups.values():
                registered = [instance_id for instance_id in instance_ids if instance_id in target_group.targets]
                target_group.deregister_terminated_instances(registered)
                for instance_id in registered:
                    _registered_at(target_group).pop(instance_id, None)
                    _draining_until(target_group)[instance_id] = (
                        harness.clock.now() + deregistration_seconds(harness, target_group)
                    )
            return terminated

        def create_as_running_fleet(self: AutoScalingBackend, *args: object, **kwargs: object) -> FakeAutoScalingGroup:
            part.seeding = True
            try:
                return create_auto_scaling_group(self, *args, **kwargs)
            finally:
                part.seeding = False

        def replace_and_register(self: AutoScalingBackend, instance_ids: list[str]) -> None:
            # moto launches replacements for instances terminated through EC2 but registers them
            # only with classic load balancers.
            notify_terminate_instances(self, instance_ids)
            for group_name in self.autoscaling_groups:
                self.update_attached_target_groups(group_name)

        FakeTargetGroup.register = register_with_time
        FakeTargetGroup.health_for = health_with_verdict
        ELBv2Backend.describe_target_health = describe_with_draining
        InstanceBackend.terminate_instances = terminate_and_drain
        AutoScalingBackend.create_auto_scaling_group = create_as_running_fleet
        AutoScalingBackend.notify_terminate_instances = replace_and_register
