"""Auto Scaling's ELB health checks: an instance the load balancer reports unhealthy after the
group's health check grace period is marked `Unhealthy`, terminated and replaced.

Sources (EC2 Auto Scaling user guide):
- "Health checks for instances in an Auto Scaling group": with the Elastic Load Balancing health
  check type, an instance the load balancer reports as unhealthy is considered unhealthy; the
  grace period delays the first health check of a new instance; an unhealthy instance is replaced.
- "How an instance refresh works": "If the new instances don't pass their health checks, Amazon
  EC2 Auto Scaling terminates and replaces them" (refresh.py keeps the refresh waiting for the
  replacements, up to an hour).
AWS documents no delay between the load balancer's verdict and Auto Scaling acting on it: the
harness takes one health check interval of the target group (Auto Scaling's next look). The
replacement launches the way a scale-out does (refresh_rules.py: the desired configuration while a
refresh rolls forward). Each replacement is recorded on the group (old id -> new id) so a refresh
can follow its batch onto the replacements.
"""

from dataclasses import dataclass

from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup, autoscaling_backends

from .health import health_check_interval, instance_health
from .state import Part
from .termination import Draining
from .versions import launched_at


def replaced_by(group: FakeAutoScalingGroup) -> dict[str, str]:
    """Instance id -> the id of the instance launched to replace it after it failed its checks."""
    return group.__dict__.setdefault("harness_replaced_by", {})


def latest_replacement(group: FakeAutoScalingGroup, instance_id: str) -> str:
    """The instance that stands for `instance_id` now, following replacements of replacements."""
    replacements = replaced_by(group)
    while instance_id in replacements:
        instance_id = replacements[instance_id]
    return instance_id


def _backends() -> list[AutoScalingBackend]:
    return [backend for regions in autoscaling_backends.values() for backend in regions.values()]


@dataclass
class UnhealthyReplacement(Part):
    def advance(self) -> None:
        now = self.harness.clock.now()
        for backend in _backends():
            for group in list(backend.autoscaling_groups.values()):
                if group.health_check_type == "ELB":
                    self._replace_unhealthy(group, now)

    def _replace_unhealthy(self, group: FakeAutoScalingGroup, now: float) -> None:
        grace = group.health_check_grace_period or 0
        noticed_after = health_check_interval(group)
        for state in list(group.instance_states):
            if state.lifecycle_state != "InService":
                continue
            verdict = instance_health(self.harness, group, state.instance.id)
            if verdict.state == "unhealthy" and now >= max(
                launched_at(state.instance) + grace, verdict.since + noticed_after
            ):
                self._replace(group, state.instance.id)

    def _replace(self, group: FakeAutoScalingGroup, instance_id: str) -> None:
        state = next(state for state in group.instance_states if state.instance.id == instance_id)
        state.health_status = "Unhealthy"
        self.harness.part(Draining).begin(group, [instance_id])
        known = {state.instance.id for state in group.instance_states}
        group.replace_autoscaling_group_instances(1, group.get_propagated_tags())
        group.autoscaling_backend.update_attached_target_groups(group.name)
        new_ids = [state.instance.id for state in group.instance_states if state.instance.id not in known]
        if new_ids:
            replaced_by(group)[instance_id] = new_ids[0]
