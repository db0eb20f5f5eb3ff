"""Target tracking scaling on CPU, the way Amazon EC2 Auto Scaling runs it, over moto's models.

moto stores target tracking policies and does nothing else (no alarms, no scaling). Here:

- PutScalingPolicy (TargetTrackingScaling, ASGAverageCPUUtilization) creates the two alarms AWS
  creates and owns, named `TargetTracking-<group>-AlarmHigh-<uuid>` / `-AlarmLow-<uuid>`:
  high = Average CPUUtilization > target for 3 of 3 datapoints, low = < 90% of target for 15 of
  15 datapoints. These counts are what AWS writes into the alarms it creates (the user guide says
  only that AWS creates and manages them; it does not document the counts). DescribePolicies
  returns them as the policy's Alarms.
- Each metric period the alarms are evaluated over the group's CPU datapoints (see cpu.py). When
  the high alarm is in ALARM, the new capacity is ceil(capacity x metric / target) (the
  proportional rule AWS describes for metrics that scale inversely with capacity), within
  min/max. Scale-out launches through moto's own group launch path (and with it the live data
  plane's launch hook), and registers the new instances with the group's target groups.
- Warmup: instances younger than the policy's EstimatedInstanceWarmup (else the group's
  DefaultInstanceWarmup) are still warming up: they are not in the metric, a further scale-out
  happens only if it asks for more than the capacity already launched, and scale-in waits for
  them, as AWS documents for target tracking.
- DisableScaleIn: "If scaling in is disabled, the target tracking scaling policy doesn't remove
  instances from the Auto Scaling group" (Amazon EC2 Auto Scaling API Reference,
  TargetTrackingConfiguration). The low alarm is still created and evaluated here; AWS does not
  document whether it creates it for such a policy, so the action reads DisableScaleIn from the
  policy and never infers it from the alarms.
- Every capacity change is a scaling activity, as DescribeScalingActivities shows it (moto
  returns none). Documented simplification: an activity is Successful as soon as its instances
  are launched; AWS reports InProgress until they pass the health check grace period.

Time: the alarms declare Period 60, as AWS's do for a one-minute metric (CloudWatch accepts 10,
20, 30 or a multiple of 60; EC2 detailed monitoring publishes every minute). Compression comes
only from the region's time scale, the same for every clock: a datapoint every 60 simulated
seconds (60 / timeScale real seconds), stamped with the simulated date (`SimulatedClock.wall`), as
are the scaling activities. A client on the region's clock (`anchor()` in GET /_harness/state)
that queries the alarm's metric at the alarm's period sees exactly what the alarm evaluated.
"""

import math
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup, FakeScalingPolicy
from moto.cloudwatch.models import cloudwatch_backends

from .state import Harness, Part
from .versions import launched_at

HIGH_DATAPOINTS = 3
LOW_DATAPOINTS = 15
LOW_FRACTION = 0.9
CPU_METRIC = "ASGAverageCPUUtilization"


@dataclass
class TrackedPolicy:
    backend: AutoScalingBackend
    policy: FakeScalingPolicy
    high_alarm: str
    low_alarm: str
    # Newest last: the group's CPU datapoints (percent, None = no data) the alarms evaluate.
    datapoints: deque = field(default_factory=lambda: deque(maxlen=LOW_DATAPOINTS))

    @property
    def group_name(self) -> str:
        return self.policy.auto_scaling_group_name

    @property
    def target(self) -> float:
        return float(self.policy.target_tracking_configuration.TargetValue)  # type: ignore[union-attr]


def alarm_state(datapoints: list[float | None], threshold: float, count: int, above: bool) -> str:
    """CloudWatch's verdict over the newest `count` datapoints (missing data: not enough data yet)."""
    recent = datapoints[-count:]
    if len(recent) < count or any(point is None for point in recent):
        return "INSUFFICIENT_DATA"
    breaching = [point > threshold if above else point < threshold for point in recent]  # type: ignore[operator]
    return "ALARM" if all(breaching) else "OK"


def proportional_capacity(capacity: int, metric: float, target: float) -> int:
    """AWS's target tracking rule for a utilization metric: capacity in proportion to metric/target."""
    return math.ceil(capacity * metric / target) if target > 0 else capacity


def decide_capacity(
    desired: int, warmed: int, metric: float, target: float, min_size: int, max_size: int, scale_out: bool
) -> int:
    """The desired capacity target tracking asks for; `warmed` counts instances past their warmup."""
    wanted = proportional_capacity(max(warmed, 1), metric, target)
    if scale_out:
        return min(max(wanted, desired), max_size)
    return max(min(wanted, desired), min_size)


PERIOD_SECONDS = 60


def metric_period(harness: Harness) -> float:
    """Real seconds per CPU datapoint: one simulated minute at the region's time scale."""
    return PERIOD_SECONDS / harness.clock.scale


def _alarm_arn(backend: AutoScalingBackend, name: str) -> str:
    return f"arn:aws:cloudwatch:{backend.region_name}:{backend.account_id}:alarm:{name}"


def create_alarms(harness: Harness, backend: AutoScalingBackend, policy: FakeScalingPolicy) -> None:
    config = policy.target_tracking_configuration
    predefined = (getattr(config, "PredefinedMetricSpecification", None) or {}) if config else {}
    metric_type = predefined.get("PredefinedMetricType") if isinstance(predefined, dict) else None
    if metric_type != CPU_METRIC:
        return
    previous = harness.part(TargetTracking).tracked.pop(policy.name, None)
    watch = cloudwatch_backends[backend.account_id][backend.region_name]
    if previous:
        watch.delete_alarms([previous.high_alarm, previous.low_alarm])
    group = policy.auto_scaling_group_name
    suffix = uuid.uuid4()
    entry = TrackedPolicy(backend, policy, f"TargetTracking-{group}-AlarmHigh-{suffix}", f"TargetTracking-{group}-AlarmLow-{suffix}")
    target = entry.target
    for name, threshold, count, operator in (
        (entry.high_alarm, target, HIGH_DATAPOINTS, "GreaterThanThreshold"),
        (entry.low_alarm, target * LOW_FRACTION, LOW_DATAPOINTS, "LessThanThreshold"),
    ):
        watch.put_metric_alarm(
            name=name, namespace="AWS/EC2", metric_name="CPUUtilization", comparison_operator=operator,
            evaluation_periods=count, datapoints_to_alarm=count, period=PERIOD_SECONDS, threshold=threshold,
            statistic="Average", description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}.",
            dimensions=[{"Name": "AutoScalingGroupName", "Value": group}], alarm_actions=[policy.arn],
        )
    policy.alarms = [
        {"AlarmName": name, "AlarmARN": _alarm_arn(backend, name)} for name in (entry.high_alarm, entry.low_alarm)
    ]
    harness.part(TargetTracking).tracked[policy.name] = entry


def record_activity(harness: Harness, group: FakeAutoScalingGroup, before: int, after: int, alarm: str, policy: str) -> None:
    now = harness.clock.wall_date()
    change = after - before
    verb = "Launching" if change > 0 else "Terminating"
    harness.part(TargetTracking).activities.setdefault(group.name, []).insert(0, {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group.name,
        "Description": f"{verb} {abs(change)} EC2 instance(s): desired capacity {before} -> {after}",
        "Cause": (
            f"At {now.strftime('%Y-%m-%dT%H:%M:%SZ')} a monitor alarm {alarm} in state ALARM triggered policy "
            f"{policy} changing the desired capacity from {before} to {after}."
        ),
        "StartTime": now,
        "EndTime": now,
        "StatusCode": "Successful",
        "Progress": 100,
    })


def _warmup_seconds(policy: FakeScalingPolicy, group: FakeAutoScalingGroup) -> float:
    warmup = policy.estimated_instance_warmup or getattr(group, "default_instance_warmup", None) or 0
    return float(warmup)


def evaluate(harness: Harness, entry: TrackedPolicy, group_cpu: float | None) -> None:
    """One metric period: record the datapoint, set both alarms, scale when the high or low one fires."""
    entry.datapoints.append(group_cpu)
    points = list(entry.datapoints)
    watch = cloudwatch_backends[entry.backend.account_id][entry.backend.region_name]
    high = alarm_state(points, entry.target, HIGH_DATAPOINTS, above=True)
    low = alarm_state(points, entry.target * LOW_FRACTION, LOW_DATAPOINTS, above=False)
    for name, state in ((entry.high_alarm, high), (entry.low_alarm, low)):
        alarm = watch.alarms.get(name)
        if alarm is not None and alarm.state_value != state:
            watch.set_alarm_state(name, f"Threshold evaluated by the emulated region: {state}", "{}", state)
    group = entry.backend.autoscaling_groups.get(entry.group_name)
    if group is None or group_cpu is None or "AlarmNotification" in _suspended(group):
        return
    warmup = _warmup_seconds(entry.policy, group)
    now = harness.clock.now()
    instances = [state.instance for state in group.instance_states]
    warmed = sum(1 for instance in instances if now - launched_at(instance) >= warmup)
    desired = int(group.desired_capacity or 0)
    if high == "ALARM":
        wanted = decide_capacity(desired, warmed, group_cpu, entry.target, group.min_size, group.max_size, True)
        alarm = entry.high_alarm
    elif low == "ALARM" and warmed == len(instances) and not scale_in_disabled(entry.policy):
        wanted = decide_capacity(desired, warmed, group_cpu, entry.target, group.min_size, group.max_size, False)
        alarm = entry.low_alarm
    else:
        return
    if wanted == desired or ("Launch" in _suspended(group) and wanted > desired):
        return
    entry.backend.set_desired_capacity(group.name, wanted)
    entry.backend.update_attached_target_groups(group.name)
    record_activity(harness, group, desired, wanted, alarm, entry.policy.name)


def scale_in_disabled(policy: FakeScalingPolicy) -> bool:
    return bool(getattr(policy.target_tracking_configuration, "DisableScaleIn", False))


def _suspended(group: FakeAutoScalingGroup) -> list[str]:
    return list(getattr(group, "_suspended_processes", None) or [])


@dataclass
class TargetTracking(Part):
    # Policy name -> its alarms and the datapoints they evaluate.
    tracked: dict[str, TrackedPolicy] = field(default_factory=dict)
    # Group name -> its scaling activities, newest first.
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def install(self) -> None:
        harness, part = self.harness, self
        from moto.autoscaling.responses import AutoScalingResponse
        from moto.core.responses import ActionResult

        put_scaling_policy = AutoScalingBackend.put_scaling_policy
        delete_policy = AutoScalingBackend.delete_policy

        def put_and_create_alarms(self: AutoScalingBackend, *args: Any, **kwargs: Any) -> FakeScalingPolicy:
            policy = put_scaling_policy(self, *args, **kwargs)
            if policy.policy_type == "TargetTrackingScaling":
                create_alarms(harness, self, policy)
            return policy

        def delete_with_alarms(self: AutoScalingBackend, name: str) -> None:
            entry = part.tracked.pop(name, None)
            if entry:
                cloudwatch_backends[self.account_id][self.region_name].delete_alarms([entry.high_alarm, entry.low_alarm])
            delete_policy(self, name)

        def describe_scaling_activities(self: AutoScalingResponse) -> ActionResult:
            name = self._get_param("AutoScalingGroupName")
            groups = [name] if name else list(part.activities)
            found = [activity for group in groups for activity in part.activities.get(group, [])]
            found.sort(key=lambda activity: activity["StartTime"], reverse=True)
            return ActionResult({"Activities": found[: self._get_int_param("MaxRecords") or 100]})

        AutoScalingBackend.put_scaling_policy = put_and_create_alarms
        AutoScalingBackend.delete_policy = delete_with_alarms
        AutoScalingResponse.describe_scaling_activities = describe_scaling_activities
