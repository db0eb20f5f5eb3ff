"""What a group may do while an instance refresh with a desired configuration is active.

Sources: StartInstanceRefresh API reference, `DesiredConfiguration`: while such a refresh is
active, "all configuration options derived from the desired configuration are not available for
update", and UpdateAutoScalingGroup fails with a validation error ("An active instance refresh
with a desired configuration exists ..."); EC2 Auto Scaling user guide, "Understand the default
values for an instance refresh" / "How an instance refresh works": instances the group launches
while the refresh rolls forward (a scale-out, the replacement of an unhealthy instance) use the
desired configuration. The rest of AWS's message is the harness's own wording.
"""

from dataclasses import dataclass
from typing import Any

from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup

from .refresh import ROLLING_FORWARD, refreshes_of
from .refresh_model import InstanceRefresh
from .state import Part
from .versions import launching_from

UPDATE_REFUSED = (
    "An active instance refresh with a desired configuration exists. All configuration options derived from "
    "the desired configuration are not available for update while the instance refresh is active."
)


def _active_with_desired_configuration(group: FakeAutoScalingGroup) -> InstanceRefresh | None:
    return next(
        (refresh for refresh in refreshes_of(group)
         if refresh.desired_configuration and refresh.status in ROLLING_FORWARD | {"Cancelling", "RollbackInProgress"}),
        None,
    )


@dataclass
class RefreshUpdateRules(Part):
    def install(self) -> None:
        update_group = AutoScalingBackend.update_auto_scaling_group
        launch_instances = FakeAutoScalingGroup.replace_autoscaling_group_instances

        def refuse_template_change(self: AutoScalingBackend, name: str, *args: Any, **kwargs: Any) -> Any:
            group = self.autoscaling_groups.get(name)
            changes_template = kwargs.get("launch_template") or kwargs.get("launch_config_name") or kwargs.get(
                "mixed_instances_policy")
            if group is not None and changes_template and _active_with_desired_configuration(group):
                raise ValidationError(UPDATE_REFUSED)
            return update_group(self, name, *args, **kwargs)

        def launch_desired_configuration(self: FakeAutoScalingGroup, count: int, tags: dict[str, str]) -> None:
            refresh = _active_with_desired_configuration(self)
            if refresh is None or refresh.status not in ROLLING_FORWARD:
                launch_instances(self, count, tags)
                return
            with launching_from(self, refresh.target):
                launch_instances(self, count, tags)

        AutoScalingBackend.update_auto_scaling_group = refuse_template_change
        FakeAutoScalingGroup.replace_autoscaling_group_instances = launch_desired_configuration
