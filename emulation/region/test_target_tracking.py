"""Target tracking semantics (alarms, proportional capacity, min/max, warmup, suspended processes,
scale-in), evaluated in-process against moto with a CPU source the test feeds. The shipped server
never uses a fed source: it measures the instances' containers (see test_run_command.py)."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from emulated_region import cpu, target_tracking
from emulated_region.state import Harness
from emulated_region.target_tracking import TargetTracking
from emulated_region.versions import LaunchVersions

REGION = "eu-west-1"


class FedCpu:
    """Test-only CPU source: every instance reads `value` percent."""

    def __init__(self) -> None:
        self.value: float | None = None

    def percent(self, _instance_id: str) -> float | None:
        return self.value


@pytest.fixture(scope="module")
def harness() -> Harness:
    harness = Harness(initial_time_scale=1.0, parts=(LaunchVersions, TargetTracking))
    harness.install()
    return harness


@pytest.fixture
def aws(harness: Harness) -> Iterator[dict[str, Any]]:
    with mock_aws():
        harness.reset()
        clients = {name: boto3.client(name, region_name=REGION) for name in ("ec2", "autoscaling", "cloudwatch")}
        template = clients["ec2"].create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": "ami-0123456789abcdef0", "InstanceType": "t3.micro"}
        )["LaunchTemplate"]["LaunchTemplateId"]
        clients["autoscaling"].create_auto_scaling_group(
            AutoScalingGroupName="web", MinSize=1, DesiredCapacity=2, MaxSize=5,
            LaunchTemplate={"LaunchTemplateId": template, "Version": "1"}, AvailabilityZones=[f"{REGION}a"],
        )
        yield clients


def put_policy(aws: dict[str, Any], warmup: int = 0, target: float = 70.0, disable_scale_in: bool = False) -> dict[str, Any]:
    aws["autoscaling"].put_scaling_policy(
        AutoScalingGroupName="web", PolicyName="cpu", PolicyType="TargetTrackingScaling", EstimatedInstanceWarmup=warmup,
        TargetTrackingConfiguration={"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                     "TargetValue": target, "DisableScaleIn": disable_scale_in},
    )
    return aws["autoscaling"].describe_policies(AutoScalingGroupName="web")["ScalingPolicies"][0]


def periods(harness: Harness, source: FedCpu, value: float | None, count: int) -> None:
    source.value = value
    for _ in range(count):
        cpu.publish_period(harness, source)


def desired(aws: dict[str, Any]) -> int:
    return aws["autoscaling"].describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0][
        "DesiredCapacity"
    ]


def alarm(aws: dict[str, Any], kind: str) -> dict[str, Any]:
    alarms = aws["cloudwatch"].describe_alarms(AlarmNamePrefix="TargetTracking-web-")["MetricAlarms"]
    return next(a for a in alarms if f"-{kind}-" in a["AlarmName"])


def test_the_policy_owns_a_high_and_a_low_alarm_as_aws_creates_them(harness: Harness, aws: dict[str, Any]) -> None:
    policy = put_policy(aws)
    names = sorted(a["AlarmName"] for a in policy["Alarms"])
    assert [n.split("-")[2] for n in names] == ["AlarmHigh", "AlarmLow"]
    high, low = alarm(aws, "AlarmHigh"), alarm(aws, "AlarmLow")
    assert (high["ComparisonOperator"], high["Threshold"], high["EvaluationPeriods"], high["DatapointsToAlarm"]) == (
        "GreaterThanThreshold", 70.0, 3, 3)
    assert (low["ComparisonOperator"], low["Threshold"], low["EvaluationPeriods"], low["DatapointsToAlarm"]) == (
        "LessThanThreshold", pytest.approx(63.0), 15, 15)
    assert high["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": "web"}]
    # One-minute metric, one-minute period, whatever the region's time scale: a Period CloudWatch
    # accepts (10, 20, 30 or a multiple of 60).
    assert high["Period"] == low["Period"] == 60


def test_time_compression_is_the_time_scale_alone(harness: Harness, aws: dict[str, Any]) -> None:
    """A datapoint per simulated minute, stamped on the simulated date: a query at the alarm's
    Period finds one per period, and the publisher runs every 60 / timeScale real seconds."""
    put_policy(aws)
    harness.clock.set_scale(600.0)
    try:
        assert target_tracking.metric_period(harness) == pytest.approx(0.1)
        start = harness.clock.wall_date()
        source = FedCpu()
        for value in (10.0, 20.0, 30.0):
            source.value = value
            cpu.publish_period(harness, source)
            moved = harness.clock.wall()
            while harness.clock.wall() - moved < 60:
                pass  # one simulated minute: 0.1 s real at this scale
        result = aws["cloudwatch"].get_metric_data(
            StartTime=start - timedelta(minutes=1), EndTime=harness.clock.wall_date() + timedelta(minutes=1),
            ScanBy="TimestampAscending",
            MetricDataQueries=[{"Id": "cpu", "MetricStat": {"Metric": {
                "Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web"}]}, "Period": 60, "Stat": "Average"}}],
        )["MetricDataResults"][0]
        assert result["Values"] == [10.0, 20.0, 30.0]
        stamps = [stamp.timestamp() for stamp in result["Timestamps"]]
        assert [b - a for a, b in zip(stamps, stamps[1:])] == [60.0, 60.0]
    finally:
        harness.clock.set_scale(1.0)


def test_three_datapoints_above_target_fire_the_alarm_and_scale_in_proportion(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    source = FedCpu()
    periods(harness, source, 90.0, 2)
    assert alarm(aws, "AlarmHigh")["StateValue"] == "INSUFFICIENT_DATA" and desired(aws) == 2
    periods(harness, source, 90.0, 1)
    assert alarm(aws, "AlarmHigh")["StateValue"] == "ALARM"
    assert desired(aws) == 3  # ceil(2 x 90 / 70)
    activity = aws["autoscaling"].describe_scaling_activities(AutoScalingGroupName="web")["Activities"][0]
    assert activity["StatusCode"] == "Successful" and "from 2 to 3" in activity["Cause"]
    assert "AlarmHigh" in activity["Cause"]
    datapoints = aws["cloudwatch"].get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization", Dimensions=[{"Name": "AutoScalingGroupName", "Value": "web"}],
        StartTime="2000-01-01T00:00:00Z", EndTime="2100-01-01T00:00:00Z", Period=60, Statistics=["Maximum"],
    )["Datapoints"]
    assert max(point["Maximum"] for point in datapoints) == 90.0


def test_a_load_below_the_target_never_fires_and_never_scales(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    source = FedCpu()
    periods(harness, source, 65.0, 10)
    assert alarm(aws, "AlarmHigh")["StateValue"] == "OK"
    assert desired(aws) == 2
    assert aws["autoscaling"].describe_scaling_activities(AutoScalingGroupName="web")["Activities"] == []


def test_a_gap_in_the_datapoints_restarts_the_count(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    source = FedCpu()
    periods(harness, source, 95.0, 2)
    periods(harness, source, 50.0, 1)
    periods(harness, source, 95.0, 2)
    assert desired(aws) == 2


def test_scale_out_stops_at_max_size(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    source = FedCpu()
    periods(harness, source, 100.0, 3)  # ceil(2 x 100 / 70) = 3
    periods(harness, source, 100.0, 3)  # ceil(3 x 100 / 70) = 5
    periods(harness, source, 100.0, 3)
    assert desired(aws) == 5
    assert len(aws["autoscaling"].describe_scaling_activities(AutoScalingGroupName="web")["Activities"]) == 2


def test_instances_warming_up_are_not_counted_again(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws, warmup=3600)
    source = FedCpu()
    # The seeded instances launched just now are warming up too: their CPU is not in the metric.
    periods(harness, source, 100.0, 5)
    assert alarm(aws, "AlarmHigh")["StateValue"] == "INSUFFICIENT_DATA"
    assert desired(aws) == 2


def test_suspended_launch_blocks_the_scale_out(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    aws["autoscaling"].suspend_processes(AutoScalingGroupName="web", ScalingProcesses=["Launch"])
    periods(harness, FedCpu(), 100.0, 4)
    assert alarm(aws, "AlarmHigh")["StateValue"] == "ALARM"
    assert desired(aws) == 2


def test_fifteen_datapoints_below_ninety_percent_of_target_scale_in_to_min(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws)
    source = FedCpu()
    periods(harness, source, 10.0, 14)
    assert desired(aws) == 2
    periods(harness, source, 10.0, 1)
    assert alarm(aws, "AlarmLow")["StateValue"] == "ALARM"
    assert desired(aws) == 1  # ceil(2 x 10 / 70), never below min_size 1


def test_disable_scale_in_keeps_the_capacity_but_still_scales_out(harness: Harness, aws: dict[str, Any]) -> None:
    put_policy(aws, disable_scale_in=True)
    source = FedCpu()
    periods(harness, source, 10.0, 30)
    assert alarm(aws, "AlarmLow")["StateValue"] == "ALARM"
    assert desired(aws) == 2
    assert aws["autoscaling"].describe_scaling_activities(AutoScalingGroupName="web")["Activities"] == []
    periods(harness, source, 90.0, 3)
    assert desired(aws) == 3


@pytest.mark.parametrize(
    ("desired_now", "warmed", "metric", "scale_out", "expected"),
    [(2, 2, 90.0, True, 3), (2, 2, 280.0, True, 5), (3, 2, 90.0, True, 3), (4, 4, 10.0, False, 1), (2, 2, 65.0, False, 2)],
)
def test_decide_capacity(desired_now: int, warmed: int, metric: float, scale_out: bool, expected: int) -> None:
    assert target_tracking.decide_capacity(desired_now, warmed, metric, 70.0, 1, 5, scale_out) == expected
