"""Instance refresh (Rolling strategy) over moto's own Auto Scaling groups.

Follows the Auto Scaling API reference: instances are replaced in batches bounded by the minimum
and maximum healthy percentages, a replacement counts once it is healthy and warmed up, a new
instance that fails its health checks is replaced and retried for up to an hour, and the group
takes the desired configuration only when the refresh succeeds. `advance` moves one refresh
forward to the current simulated time; the server calls it on a timer and before every request.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.core.exceptions import ServiceException

from . import special_instances
from .health import instance_health
from .health_replacement import latest_replacement
from .refresh_model import Batch, InstanceRefresh, Preferences
from .state import Harness, Part
from .termination import Draining
from .versions import LaunchSource, group_source, launch_source, launched_at, launching_from, resolve

ACTIVE = frozenset({"Pending", "InProgress", "Baking", "Cancelling", "RollbackInProgress"})
ROLLING_FORWARD = frozenset({"Pending", "InProgress", "Baking"})
RETRY_SECONDS = 3600.0  # how long a refresh keeps replacing new instances that fail their checks


class InstanceRefreshInProgress(AutoscalingClientError):
    code = "InstanceRefreshInProgress"
    message = "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh."


class ActiveInstanceRefreshNotFound(AutoscalingClientError):
    code = "ActiveInstanceRefreshNotFound"


class IrreversibleInstanceRefresh(AutoscalingClientError):
    code = "IrreversibleInstanceRefresh"


def refreshes_of(group: FakeAutoScalingGroup) -> list[InstanceRefresh]:
    """The group's refreshes, newest first; kept on moto's group so moto's reset clears them."""
    return group.__dict__.setdefault("harness_instance_refreshes", [])


def _group(backend: AutoScalingBackend, name: str) -> FakeAutoScalingGroup:
    group = backend.autoscaling_groups.get(name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    return group


def _active(group: FakeAutoScalingGroup) -> InstanceRefresh | None:
    return next((refresh for refresh in refreshes_of(group) if refresh.status in ACTIVE), None)


def _desired_source(backend: AutoScalingBackend, desired: dict[str, Any]) -> LaunchSource:
    spec = desired.get("LaunchTemplate")
    if not spec or "MixedInstancesPolicy" in desired:
        raise ValidationError("The emulated region supports a DesiredConfiguration with a LaunchTemplate only.")
    template_id, name = spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
    if bool(template_id) == bool(name):
        raise ValidationError("Valid requests must contain either LaunchTemplateId or LaunchTemplateName.")
    version = spec.get("Version", "$Default")
    try:
        ec2 = backend.ec2_backend
        template = ec2.get_launch_template(template_id) if template_id else ec2.get_launch_template_by_name(name)
        if not (version.startswith("$") or int(version) >= 1):
            raise ValueError(version)
        return resolve(template, version)
    except (ServiceException, ValueError) as error:
        raise ValidationError(f"The launch template {template_id or name} version {version} was not found.") from error


def _irreversible_reason(
    desired: dict[str, Any] | None, previous_version_name: str, previous: LaunchSource
) -> str | None:
    if desired is None:
        return "The instance refresh has no desired configuration, so there is no previous configuration to roll back to."
    versions = {"the Auto Scaling group": previous_version_name,
                "the desired configuration": desired["LaunchTemplate"].get("Version", "$Default")}
    for owner, version in versions.items():
        if not version.isdigit():
            return f"Rollback is not supported because {owner} uses launch template version {version}."
    if previous.image_id.startswith("resolve:ssm:"):
        return "Rollback is not supported because the launch template takes its AMI from a Systems Manager parameter."
    return None


def start(
    harness: Harness,
    backend: AutoScalingBackend,
    group_name: str,
    strategy: str,
    desired_configuration: dict[str, Any] | None,
    raw_preferences: dict[str, Any],
) -> InstanceRefresh:
    group = _group(backend, group_name)
    if _active(group):
        raise InstanceRefreshInProgress()
    if strategy != "Rolling":
        raise ValidationError(f"The emulated region supports the Rolling strategy only, not {strategy}.")
    if group.ec2_launch_template is None:
        raise ValidationError("The emulated region refreshes groups that use a launch template only.")
    preferences = Preferences.parse(raw_preferences)
    previous = group_source(group)
    target = _desired_source(backend, desired_configuration) if desired_configuration else previous
    if preferences.auto_rollback:
        reason = _irreversible_reason(desired_configuration, group.launch_template_version, previous)
        if reason:
            raise ValidationError(f"AutoRollback cannot be enabled: {reason}")
    in_service = [state for state in group.instance_states if state.lifecycle_state == "InService"]
    to_replace = [
        state.instance.id
        for state in in_service
        if not (preferences.skip_matching and target.same_as(launch_source(state.instance)))
    ]
    to_replace = special_instances.plan_start(group, preferences, to_replace)
    warmup = next(
        value
        for value in (preferences.instance_warmup, getattr(group, "default_instance_warmup", None),
                      group.health_check_grace_period, 0)
        if value is not None
    )
    refresh = InstanceRefresh(
        group_name=group.name,
        strategy=strategy,
        preferences=preferences,
        desired_configuration=desired_configuration,
        target=target,
        previous=previous,
        previous_version_name=group.launch_template_version,
        warmup=float(warmup),
        to_replace=to_replace,
        total=len(to_replace),
        checkpoints_left=list(preferences.checkpoint_percentages),
    )
    refreshes_of(group).insert(0, refresh)
    harness.part(InstanceRefreshes).live.append((backend, refresh))
    return refresh


def describe(backend: AutoScalingBackend, group_name: str, ids: list[str]) -> list[InstanceRefresh]:
    group = backend.autoscaling_groups.get(group_name)
    refreshes = refreshes_of(group) if group else []
    return [refresh for refresh in refreshes if not ids or refresh.id in ids]


def _active_or_raise(backend: AutoScalingBackend, group_name: str) -> tuple[FakeAutoScalingGroup, InstanceRefresh]:
    group = _group(backend, group_name)
    refresh = _active(group)
    if refresh is None:
        raise ActiveInstanceRefreshNotFound(f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}")
    return group, refresh


def cancel(backend: AutoScalingBackend, group_name: str) -> InstanceRefresh:
    """Stops new replacements; replacements already under way finish first (status Cancelling)."""
    _, refresh = _active_or_raise(backend, group_name)
    if refresh.status != "Cancelling":
        refresh.status = "Cancelling"
        refresh.status_reason = "Cancelling: replacements already under way finish, no new ones start."
    return refresh


def rollback(harness: Harness, backend: AutoScalingBackend, group_name: str) -> InstanceRefresh:
    group, refresh = _active_or_raise(backend, group_name)
    if refresh.status not in ROLLING_FORWARD:
        raise ValidationError(f"Instance refresh {refresh.id} is {refresh.status} and cannot be rolled back.")
    reason = _irreversible_reason(refresh.desired_configuration, refresh.previous_version_name, refresh.previous)
    if reason:
        raise IrreversibleInstanceRefresh(reason)
    _start_rollback(harness, group, refresh, "Rollback requested with RollbackInstanceRefresh.")
    return refresh


@dataclass
class InstanceRefreshes(Part):
    """The refreshes still moving (each with its group's backend); finished ones stay on their group."""

    live: list[tuple[AutoScalingBackend, InstanceRefresh]] = field(default_factory=list)

    def advance(self) -> None:
        """Moves every live refresh to the current simulated time; forgets the ones that ended."""
        for backend, refresh in list(self.live):
            group = backend.autoscaling_groups.get(refresh.group_name)
            if group is None or refresh not in refreshes_of(group):
                _end(refresh, "Failed", "The Auto Scaling group was deleted.")
            elif refresh.status in ACTIVE:  # another part (refresh_alarms.py) may have ended it
                try:
                    _advance(self.harness, group, refresh)
                except Exception as error:  # noqa: BLE001 - a harness bug must fail the refresh loudly, not finish it
                    _end(refresh, "Failed", f"The emulated region failed to advance the refresh: {error!r}")
            if refresh.status not in ACTIVE:
                self.live.remove((backend, refresh))

    def describe(self) -> dict[str, Any]:
        return {
            "liveRefreshes": [
                {
                    "autoScalingGroupName": live.group_name,
                    "instanceRefreshId": live.id,
                    "status": live.status,
                    "percentageComplete": live.percentage_complete,
                }
                for _, live in self.live
            ]
        }


def _advance(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh) -> None:
    now = harness.clock.now()
    if refresh.status == "Pending":
        refresh.status = "InProgress"
    if refresh.batch and refresh.status == "Cancelling" and refresh.retrying_since is not None:
        # AWS does not document a cancel while replacements keep failing; the harness stops waiting
        # for them (the cancel must not take the rest of the hour) and abandons the batch.
        _abandon_batch(harness, group, refresh)
    if refresh.batch:
        waiting_on, failure = _batch_state(harness, group, refresh, now)
        if failure:
            _fail(harness, group, refresh, failure)
            return
        if waiting_on:
            if refresh.status != "Cancelling":
                refresh.status_reason = waiting_on
            return
        _complete_batch(harness, group, refresh, now)
    if refresh.status == "Cancelling":
        _end(refresh, "Cancelled", "The instance refresh was cancelled.")
        return
    if refresh.resume_at is not None:
        if now < refresh.resume_at:
            return
        refresh.resume_at = None
        if refresh.status == "Baking":
            _succeed(group, refresh)
            return
    if _start_batch(harness, group, refresh):
        return
    waiting, failure = special_instances.hold(refresh, group, now)
    if failure:
        _fail(harness, group, refresh, failure)
    elif not waiting:
        _finish_replacing(group, refresh, now)


def _in_service_ids(group: FakeAutoScalingGroup) -> list[str]:
    return [state.instance.id for state in group.instance_states if state.lifecycle_state == "InService"]


def _terminate(harness: Harness, group: FakeAutoScalingGroup, instance_ids: list[str]) -> None:
    """Drains, then terminates, without moto's capacity rebalancing, which would pick its own victims."""
    harness.part(Draining).begin(group, instance_ids)


def _launch(group: FakeAutoScalingGroup, source: LaunchSource, count: int) -> list[str]:
    if count == 0:
        return []
    known = set(_in_service_ids(group))
    with launching_from(group, source):
        group.replace_autoscaling_group_instances(count, group.get_propagated_tags())
    group.autoscaling_backend.update_attached_target_groups(group.name)
    return [instance_id for instance_id in _in_service_ids(group) if instance_id not in known]


def _batch_bounds(refresh: InstanceRefresh, desired: int, in_service: int) -> tuple[int, int]:
    """(instances to replace in this batch, how many of them to terminate before their
    replacements launch), from the StartInstanceRefresh reference (RefreshPreferences):
    - MaxHealthyPercentage set: replace as many as the room between the bounds allows,
      terminating first only what launching would push above the maximum; when the bounds leave no
      room (min = max, e.g. 100/100), replace one at a time and launch before terminating ("To
      replace one instance at a time, set both the minimum and maximum healthy percentage to 100
      percent. This changes the behavior of an instance refresh to launch before terminating.");
    - MaxHealthyPercentage omitted: replace down to the minimum, terminating and launching at the
      same time."""
    preferences = refresh.preferences
    healthy_floor = -(-desired * preferences.min_healthy // 100)
    if not preferences.max_healthy_set:
        size = min(len(refresh.to_replace), max(1, desired - healthy_floor))
        return size, size
    ceiling = desired * preferences.max_healthy // 100
    room = ceiling - healthy_floor
    size = min(len(refresh.to_replace), max(1, room))
    if room < 1:
        return size, 0
    return size, min(size, max(0, in_service + size - ceiling))


def _start_batch(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh) -> bool:
    """Starts the next batch, sized and ordered by the healthy percentages (_batch_bounds)."""
    in_service = _in_service_ids(group)
    refresh.to_replace = [instance_id for instance_id in refresh.to_replace if instance_id in in_service]
    desired = group.desired_capacity or 0
    shortfall = max(0, desired - len(in_service))
    if not refresh.to_replace and not shortfall:
        return False
    size, terminate_first = _batch_bounds(refresh, desired, len(in_service) + shortfall)
    if refresh.checkpoints_left and not refresh.rollback_details:
        until_checkpoint = -(-refresh.total * refresh.checkpoints_left[0] // 100) - refresh.replaced
        size = min(size, max(1, until_checkpoint))
        terminate_first = min(terminate_first, size)
    replacing, refresh.to_replace = refresh.to_replace[:size], refresh.to_replace[size:]
    _terminate(harness, group, replacing[:terminate_first])
    source = refresh.previous if refresh.rollback_details else refresh.target
    refresh.batch = Batch(_launch(group, source, size + shortfall), replacing[terminate_first:], size)
    return True


def _shown(instance_id: str) -> str:
    """An instance as the harness's StatusReason names it: without `i-`, as AWS's own example in the
    user guide does ("For example: 0e69cc3f05f825f4f is warming up."). The wording of StatusReason
    is undocumented; nothing may parse instance ids out of it."""
    return instance_id.removeprefix("i-")


def _batch_state(
    harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh, now: float
) -> tuple[str | None, str | None]:
    """(what the batch still waits for, why it failed): both None once every new instance is
    healthy and warmed up. A new instance that fails its health checks is replaced by Auto Scaling
    (health_replacement.py), and the batch waits for its replacement instead: "When an instance
    refresh is unable to continue making replacements because ... the new instances do not pass
    their health checks, Amazon EC2 Auto Scaling keeps retrying for an hour ... If the problem
    persists after an hour, the operation fails." (user guide, "How an instance refresh works",
    Limitations). The hour is simulated time, counted from the batch's first failed replacement."""
    assert refresh.batch is not None
    followed = [latest_replacement(group, instance_id) for instance_id in refresh.batch.new_ids]
    failed_now = sum(1 for old, new in zip(refresh.batch.new_ids, followed) if old != new)
    if failed_now:
        refresh.failed_replacements += failed_now
        refresh.retrying_since = now if refresh.retrying_since is None else refresh.retrying_since
        refresh.batch.new_ids = followed
    if refresh.retrying_since is not None and now - refresh.retrying_since >= RETRY_SECONDS:
        return None, (
            f"Instance refresh failed: new instances did not pass their health checks for {RETRY_SECONDS:.0f} "
            f"seconds; {refresh.failed_replacements} were replaced after failing them."
        )
    states = {state.instance.id: state for state in group.instance_states}
    waiting_on = None
    for instance_id in refresh.batch.new_ids:
        if instance_id not in states:
            return None, "Instance refresh failed: a replacement was terminated before it became healthy."
        verdict = instance_health(harness, group, instance_id)
        if waiting_on is None and verdict.state != "healthy":
            retried = f" {refresh.failed_replacements} replaced after failing them." if refresh.failed_replacements else ""
            waiting_on = (
                "Waiting for new instances to pass their health checks before continuing. "
                f"For example: {_shown(instance_id)} is {verdict.state}.{retried}"
            )
        elif waiting_on is None and now < launched_at(states[instance_id].instance) + refresh.warmup:
            waiting_on = (
                f"Waiting for instances to warm up before continuing. For example: {_shown(instance_id)} is warming up."
            )
    return waiting_on, None


def _complete_batch(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh, now: float) -> None:
    assert refresh.batch is not None
    refresh.retrying_since = None
    _terminate(harness, group, refresh.batch.replacing)
    if refresh.rollback_details:
        refresh.replaced = max(0, refresh.replaced - refresh.batch.size)
    else:
        refresh.replaced += refresh.batch.size
    refresh.batch = None
    reached = [p for p in refresh.checkpoints_left if refresh.percentage_complete >= p]
    if reached and not refresh.rollback_details:
        del refresh.checkpoints_left[: len(reached)]
        if not refresh.checkpoints_left:
            refresh.to_replace = []  # the last checkpoint is where the refresh ends
        elif refresh.status == "InProgress":
            refresh.resume_at = now + refresh.preferences.checkpoint_delay
            refresh.status_reason = (
                f"Waiting at checkpoint {reached[-1]}%: {refresh.replaced} of {refresh.total} instances replaced. "
                f"Continuing after the checkpoint delay of {refresh.preferences.checkpoint_delay} seconds."
            )


def _finish_replacing(group: FakeAutoScalingGroup, refresh: InstanceRefresh, now: float) -> None:
    if refresh.rollback_details:
        _end(refresh, "RollbackSuccessful",
             f"The group was rolled back to launch template version {refresh.previous.version}.")
    elif refresh.preferences.bake_time > 0:
        refresh.status = "Baking"
        refresh.status_reason = f"Waiting the bake time of {refresh.preferences.bake_time} seconds."
        refresh.resume_at = now + refresh.preferences.bake_time
    else:
        _succeed(group, refresh)


def _succeed(group: FakeAutoScalingGroup, refresh: InstanceRefresh) -> None:
    if refresh.desired_configuration:
        spec = refresh.desired_configuration["LaunchTemplate"]
        group._set_launch_configuration(
            None,
            {"LaunchTemplateId": refresh.target.template.id, "Version": spec.get("Version", "$Default")},
            None,
        )
    _end(refresh, "Successful", None)


def _fail(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh, reason: str) -> None:
    if refresh.rollback_details:
        _end(refresh, "RollbackFailed", f"The rollback failed. {reason}")
    elif refresh.status == "Cancelling":
        _abandon_batch(harness, group, refresh)
        _end(refresh, "Cancelled", f"The instance refresh was cancelled. {reason}")
    elif refresh.preferences.auto_rollback:
        _start_rollback(harness, group, refresh, f"Automatic rollback: {reason}")
    else:
        _end(refresh, "Failed", reason)


def _abandon_batch(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh) -> None:
    if refresh.batch:
        _terminate(harness, group, refresh.batch.new_ids)
        refresh.batch = None


def _start_rollback(harness: Harness, group: FakeAutoScalingGroup, refresh: InstanceRefresh, reason: str) -> None:
    """Replaces what the refresh deployed so far with the group's previous configuration."""
    refresh.rollback_details = {
        "RollbackReason": reason,
        "RollbackStartTime": datetime.now(timezone.utc),
        "PercentageCompleteOnRollback": refresh.percentage_complete,
        "InstancesToUpdateOnRollback": refresh.instances_to_update,
        "ProgressDetailsOnRollback": refresh.progress(),
    }
    _abandon_batch(harness, group, refresh)
    refresh.retrying_since = None  # the rollback's own replacements get their own hour
    refresh.status = "RollbackInProgress"
    refresh.status_reason = f"Rolling back to launch template version {refresh.previous.version}."
    refresh.resume_at = None
    in_service = {state.instance.id: state for state in group.instance_states if state.lifecycle_state == "InService"}
    refresh.to_replace = [
        instance_id
        for instance_id, state in in_service.items()
        if not refresh.previous.same_as(launch_source(state.instance))
    ]
    _advance(harness, group, refresh)


def _end(refresh: InstanceRefresh, status: str, reason: str | None) -> None:
    refresh.status = status
    refresh.status_reason = reason
    refresh.end_time = datetime.now(timezone.utc)
    refresh.batch = None
    refresh.resume_at = None
