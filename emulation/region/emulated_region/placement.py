"""`unused` / `Target.NotInUse` for a target whose Availability Zone the load balancer does not serve.

ELBv2's DescribeTargetHealth documents `Target.NotInUse` as: the target group is not used by any load
balancer, or the target is in an Availability Zone that is not enabled for its load balancer. moto
answers `healthy` either way. Only the Availability Zone case is emulated here: a target group of the
stack always has its listener. AWS's documentation is silent on whether an Auto Scaling group with
ELB health checks counts such an instance as unhealthy; the harness does not (only `unhealthy`
targets fail the group's health check), so a refresh can succeed while the targets stay `unused`.
"""

from dataclasses import dataclass
from typing import Any

from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup, elbv2_backends

from .state import Part

NOT_IN_USE = ("unused", "Target.NotInUse", "Target is in an Availability Zone that is not enabled for the load balancer")


def _enabled_zones(target_group: FakeTargetGroup) -> set[str] | None:
    """The zones of the target group's load balancers, or None when no load balancer uses it."""
    balancers = elbv2_backends[target_group.account_id][target_group.region_name].load_balancers
    zones = {
        subnet.availability_zone
        for arn in target_group.load_balancer_arns
        if arn in balancers
        for subnet in balancers[arn].subnets
    }
    return zones or None


@dataclass
class ZonePlacement(Part):
    def install(self) -> None:
        health_for = FakeTargetGroup.health_for

        def health_in_enabled_zone(self: FakeTargetGroup, target: dict[str, Any], ec2_backend: Any) -> FakeHealthStatus:
            status = health_for(self, target, ec2_backend)
            if status.status in ("draining", "unused"):
                return status
            instance = ec2_backend.get_instance_by_id(target["Id"]) if target["Id"].startswith("i-") else None
            zones = _enabled_zones(self)
            if instance is not None and zones is not None and instance.placement.zone not in zones:
                status.status, status.reason, status.description = NOT_IN_USE
            return status

        FakeTargetGroup.health_for = health_in_enabled_zone
