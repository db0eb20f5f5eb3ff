"""Draining before termination, for the instances an instance refresh terminates.

The Auto Scaling user guide (Elastic Load Balancing: deregistration delay): when Auto Scaling
terminates an instance registered with a target group, it deregisters the instance first and waits
for the deregistration delay while the target drains, and only then terminates it; meanwhile the
group lists the instance as Terminating. moto terminates at once and drains afterwards, and
registers every instance of the group with its target groups whenever it launches one, Terminating
ones included: here a Terminating instance stays deregistered.
"""

from dataclasses import dataclass, field

from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.elbv2.models import FakeTargetGroup, elbv2_backends

from .health import deregistration_seconds
from .state import Part


def _target_groups(group: FakeAutoScalingGroup) -> list[FakeTargetGroup]:
    known = elbv2_backends[group.account_id][group.region].target_groups
    return [known[arn] for arn in group.target_group_arns if arn in known]


@dataclass
class Draining(Part):
    # Instances deregistered for termination that drain until the given time, then terminate.
    terminating: list[tuple[FakeAutoScalingGroup, str, float]] = field(default_factory=list)

    def begin(self, group: FakeAutoScalingGroup, instance_ids: list[str]) -> None:
        """Deregisters the instances (their targets drain) and schedules their termination."""
        if not instance_ids:
            return
        target_groups = _target_groups(group)
        delay = max((deregistration_seconds(self.harness, target_group) for target_group in target_groups),
                    default=0.0)
        for state in group.instance_states:
            if state.instance.id in instance_ids:
                state.lifecycle_state = "Terminating"
        for target_group in target_groups:
            target_group.deregister_terminated_instances(
                [instance_id for instance_id in instance_ids if instance_id in target_group.targets]
            )
        until = self.harness.clock.now() + delay
        self.terminating += [(group, instance_id, until) for instance_id in instance_ids]

    def install(self) -> None:
        register_group = AutoScalingBackend.update_attached_target_groups

        def register_all_but_terminating(self: AutoScalingBackend, group_name: str) -> None:
            group = self.autoscaling_groups[group_name]
            every = group.instance_states
            group.instance_states = [state for state in every if state.lifecycle_state != "Terminating"]
            try:
                register_group(self, group_name)
            finally:
                group.instance_states = every

        AutoScalingBackend.update_attached_target_groups = register_all_but_terminating

    def advance(self) -> None:
        """Terminates the instances whose draining is over; their targets leave the target group."""
        now = self.harness.clock.now()
        due = [(group, instance_id) for group, instance_id, until in self.terminating if now >= until]
        self.terminating = [entry for entry in self.terminating if now < entry[2]]
        for group, instance_id in due:
            group.instance_states = [state for state in group.instance_states if state.instance.id != instance_id]
            group.ec2_backend.terminate_instances([instance_id])
            for target_group in _target_groups(group):
                target_group.terminated_targets.pop(instance_id, None)
