"""Scale-in protected and Standby instances during an instance refresh.

The StartInstanceRefresh reference documents the preferences: `ScaleInProtectedInstances` Refresh
(replace them like the others) | Ignore (leave them) | Wait (the default: wait for the protection
to be removed, up to one hour, then fail), and `StandbyInstances` Terminate (terminate them) |
Ignore | Wait (the default: wait for them to return to InService, up to one hour, then fail).
The documentation gives no StatusReason wording for the wait: the harness's text is its own, and
names instances without `i-` as AWS's own example does (see refresh.py's `_shown`). The
hour is simulated time, so it passes at the region's time scale.
"""

from collections.abc import Iterable

from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState

from .refresh_model import InstanceRefresh, Preferences
from .versions import launch_source

WAIT_SECONDS = 3600.0


def _protected(group: FakeAutoScalingGroup) -> list[InstanceState]:
    return [s for s in group.instance_states if s.lifecycle_state == "InService" and s.protected_from_scale_in]


def _standby(group: FakeAutoScalingGroup) -> list[InstanceState]:
    return [s for s in group.instance_states if s.lifecycle_state.startswith("Standby")]


def plan_start(group: FakeAutoScalingGroup, preferences: Preferences, to_replace: list[str]) -> list[str]:
    """The instances the refresh starts with, given the preferences: protected instances are
    replaced only under Refresh; Standby instances are terminated under Terminate."""
    if preferences.scale_in_protected_instances != "Refresh":
        held = {state.instance.id for state in _protected(group)}
        to_replace = [instance_id for instance_id in to_replace if instance_id not in held]
    if preferences.standby_instances == "Terminate":
        doomed = [state.instance.id for state in _standby(group)]
        if doomed:
            group.instance_states = [s for s in group.instance_states if s.instance.id not in doomed]
            group.ec2_backend.terminate_instances(doomed)
    return to_replace


def _outdated(refresh: InstanceRefresh, states: Iterable[InstanceState]) -> list[str]:
    return [
        state.instance.id
        for state in states
        if not (refresh.preferences.skip_matching and refresh.target.same_as(launch_source(state.instance)))
    ]


def hold(refresh: InstanceRefresh, group: FakeAutoScalingGroup, now: float) -> tuple[bool, str | None]:
    """Called when nothing else is left to replace: (whether the refresh must keep waiting, why it
    failed). Under Wait, an instance released in time (protection removed, back in service) joins
    the refresh; one still held after the hour fails it."""
    if refresh.rollback_details:
        return False, None
    waiting: list[str] = []
    released: list[str] = []
    protected_ids = {state.instance.id for state in _protected(group)}
    if refresh.preferences.scale_in_protected_instances == "Wait":
        waiting += _outdated(refresh, _protected(group))
    if refresh.preferences.standby_instances == "Wait":
        waiting += [state.instance.id for state in _standby(group)]
    for instance_id in refresh.held_ids:
        state = next((s for s in group.instance_states if s.instance.id == instance_id), None)
        if state and state.lifecycle_state == "InService" and instance_id not in protected_ids:
            released += _outdated(refresh, [state])
    refresh.held_ids = waiting
    if released:
        refresh.to_replace += released
        refresh.total += len(released)
        refresh.waiting_since = None
        return True, None
    if not waiting:
        return False, None
    if refresh.waiting_since is None:
        refresh.waiting_since = now
    if now - refresh.waiting_since >= WAIT_SECONDS:
        return False, (
            f"Instance refresh failed: waited {WAIT_SECONDS:.0f} seconds for instances that are scale-in protected "
            f"or in Standby ({', '.join(i.removeprefix('i-') for i in waiting)}); ScaleInProtectedInstances and StandbyInstances are Wait."
        )
    refresh.status_reason = (
        "Waiting for scale-in protection to be removed from, or for Standby instances to return to service: "
        f"{', '.join(i.removeprefix('i-') for i in waiting)}."
    )
    return True, None
