"""Which launch template version each Auto Scaling instance was launched from.

moto reports the template's default version for every instance. A rollout needs the real one: to
tell whether a group already runs a version, for skip matching, and to know what to roll back.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState
from moto.ec2.models.instances import Instance
from moto.ec2.models.launch_templates import LaunchTemplate

from .state import Part


@dataclass(frozen=True)
class LaunchSource:
    template: LaunchTemplate
    version: int

    def same_as(self, other: "LaunchSource | None") -> bool:
        return other is not None and (other.template.id, other.version) == (self.template.id, self.version)

    @property
    def image_id(self) -> str:
        return self.template.get_version(self.version).image_id

    def describe(self) -> dict[str, str]:
        return {
            "LaunchTemplateId": self.template.id,
            "LaunchTemplateName": self.template.name,
            "Version": str(self.version),
        }


def resolve(template: LaunchTemplate, version: str) -> LaunchSource:
    """A version as a group or request names it ("3", "$Latest", "$Default"), made concrete."""
    return LaunchSource(template, template.get_version(version).number)


def group_source(group: FakeAutoScalingGroup) -> LaunchSource:
    return resolve(group.ec2_launch_template, group.launch_template_version)


def launch_source(instance: Instance) -> LaunchSource | None:
    return getattr(instance, "harness_launch_source", None)


def launched_at(instance: Instance) -> float:
    return getattr(instance, "harness_launched_at", 0.0)


@contextmanager
def launching_from(group: FakeAutoScalingGroup, source: LaunchSource) -> Iterator[None]:
    """Points the group's own launch path at `source` for the launches made inside the block."""
    saved = group.ec2_launch_template, group.launch_template_version
    group.ec2_launch_template, group.launch_template_version = source.template, str(source.version)
    try:
        yield
    finally:
        group.ec2_launch_template, group.launch_template_version = saved


@dataclass
class LaunchVersions(Part):
    def install(self) -> None:
        harness = self.harness
        launch_instances = FakeAutoScalingGroup.replace_autoscaling_group_instances
        default_launch_template = InstanceState.launch_template

        def launch_and_record(self: FakeAutoScalingGroup, count_needed: int, propagated_tags: dict[str, str]) -> None:
            known = {state.instance.id for state in self.instance_states}
            launch_instances(self, count_needed, propagated_tags)
            source = group_source(self) if self.ec2_launch_template else None
            for state in self.instance_states:
                if state.instance.id not in known:
                    state.instance.harness_launch_source = source
                    state.instance.harness_launched_at = harness.clock.now()

        def recorded_launch_template(self: InstanceState) -> dict[str, Any] | None:
            source = launch_source(self.instance)
            return source.describe() if source else default_launch_template.fget(self)

        FakeAutoScalingGroup.replace_autoscaling_group_instances = launch_and_record
        InstanceState.launch_template = property(recorded_launch_template)
