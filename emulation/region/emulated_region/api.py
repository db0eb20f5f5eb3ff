"""The Auto Scaling query-API actions moto lacks, added to moto's own response class, plus the
group's DefaultInstanceWarmup, which moto drops."""

from dataclasses import dataclass

from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult

from . import refresh as refreshes
from .state import Part

DEFAULT_MAX_RECORDS = 50


@dataclass
class InstanceRefreshApi(Part):
    def install(self) -> None:
        harness = self.harness

        def start_instance_refresh(self: AutoScalingResponse) -> ActionResult:
            refresh = refreshes.start(
                harness,
                self.autoscaling_backend,
                group_name=self._get_param("AutoScalingGroupName"),
                strategy=self._get_param("Strategy") or "Rolling",
                desired_configuration=self._get_param("DesiredConfiguration"),
                raw_preferences=self._get_param("Preferences") or {},
            )
            return ActionResult({"InstanceRefreshId": refresh.id})

        def describe_instance_refreshes(self: AutoScalingResponse) -> ActionResult:
            found = refreshes.describe(
                self.autoscaling_backend,
                self._get_param("AutoScalingGroupName"),
                self._get_param("InstanceRefreshIds") or [],
            )
            ids = [refresh.id for refresh in found]
            token = self._get_param("NextToken")
            first = ids.index(token) + 1 if token in ids else 0
            page = found[first : first + (self._get_int_param("MaxRecords") or DEFAULT_MAX_RECORDS)]
            more = first + len(page) < len(found)
            return ActionResult(
                {
                    "InstanceRefreshes": [refresh.describe() for refresh in page],
                    "NextToken": page[-1].id if more else None,
                }
            )

        def cancel_instance_refresh(self: AutoScalingResponse) -> ActionResult:
            refresh = refreshes.cancel(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
            return ActionResult({"InstanceRefreshId": refresh.id})

        def rollback_instance_refresh(self: AutoScalingResponse) -> ActionResult:
            refresh = refreshes.rollback(harness, self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
            return ActionResult({"InstanceRefreshId": refresh.id})

        def keeping_default_instance_warmup(action):  # type: ignore[no-untyped-def]
            def handle(self: AutoScalingResponse) -> ActionResult:
                result = action(self)
                warmup = self._get_int_param("DefaultInstanceWarmup")
                if warmup is not None:
                    group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
                    group.default_instance_warmup = warmup  # DescribeAutoScalingGroups serializes it from here
                return result

            return handle

        AutoScalingResponse.start_instance_refresh = start_instance_refresh
        AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes
        AutoScalingResponse.cancel_instance_refresh = cancel_instance_refresh
        AutoScalingResponse.rollback_instance_refresh = rollback_instance_refresh
        AutoScalingResponse.create_auto_scaling_group = keeping_default_instance_warmup(
            AutoScalingResponse.create_auto_scaling_group
        )
        AutoScalingResponse.update_auto_scaling_group = keeping_default_instance_warmup(
            AutoScalingResponse.update_auto_scaling_group
        )
