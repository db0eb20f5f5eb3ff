"""Target health over time, per-instance launch template versions, and the control API."""

import json
import urllib.error
import urllib.request

import pytest
from conftest import Region, Stack


def states_of(region: Region, stack: Stack, instance_id: str) -> tuple[str, str | None, str | None] | None:
    return next((target[1:] for target in region.targets(stack) if target[0] == instance_id), None)


def test_instances_present_when_the_group_was_created_are_healthy_at_once(region: Region, stack: Stack) -> None:
    targets = region.targets(stack)

    assert {target[0] for target in targets} == set(region.in_service_versions(stack))
    assert {target[1:] for target in targets} == {("healthy", None, None)}


def test_a_scaled_out_instance_registers_then_turns_healthy(region: Region, stack: Stack) -> None:
    before = set(region.in_service_versions(stack))

    with region.held_clock():
        region.autoscaling.set_desired_capacity(AutoScalingGroupName=stack.group, DesiredCapacity=3)
        (added,) = set(region.in_service_versions(stack)) - before

        assert states_of(region, stack, added) == (
            "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
        )
    region.wait_until(lambda: states_of(region, stack, added) == ("healthy", None, None))
    described = region.autoscaling.describe_auto_scaling_instances(InstanceIds=[added])["AutoScalingInstances"]
    assert described[0]["LaunchTemplate"]["Version"] == "1"


def test_health_checks_take_interval_times_threshold_of_their_target_group(region: Region, stack: Stack) -> None:
    region.control("/_harness/settings", {"healthCheckSeconds": None})
    slow_group = region.elbv2.create_target_group(
        Name="slow", Protocol="HTTP", Port=80, VpcId=region.ec2.describe_vpcs()["Vpcs"][-1]["VpcId"],
        HealthCheckIntervalSeconds=300, HealthyThresholdCount=10,
    )["TargetGroups"][0]["TargetGroupArn"]
    fast_group = region.elbv2.create_target_group(
        Name="fast", Protocol="HTTP", Port=80, VpcId=region.ec2.describe_vpcs()["Vpcs"][-1]["VpcId"],
        HealthCheckIntervalSeconds=5, HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    instance = next(iter(region.in_service_versions(stack)))
    for arn in (slow_group, fast_group):
        region.elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": instance}])

    def state_in(arn: str) -> str:
        return region.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0][
            "TargetHealth"]["State"]

    region.wait_until(lambda: state_in(fast_group) == "healthy")
    # 10 simulated seconds against 3000: the slow group is still checking.
    assert state_in(slow_group) == "initial"


def test_a_terminated_instance_drains_for_the_deregistration_delay_then_leaves(region: Region, stack: Stack) -> None:
    region.elbv2.modify_target_group_attributes(
        TargetGroupArn=stack.target_group_arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
    )
    leaving = next(iter(region.in_service_versions(stack)))

    with region.held_clock():
        region.autoscaling.terminate_instance_in_auto_scaling_group(
            InstanceId=leaving, ShouldDecrementDesiredCapacity=True
        )

        assert states_of(region, stack, leaving) == (
            "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
        )
    region.wait_until(lambda: states_of(region, stack, leaving) is None)
    asked = region.elbv2.describe_target_health(TargetGroupArn=stack.target_group_arn, Targets=[{"Id": leaving}])
    assert asked["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] == "Target.NotRegistered"


def test_an_instance_terminated_through_ec2_is_replaced_and_the_replacement_registered(
    region: Region, stack: Stack
) -> None:
    before = set(region.in_service_versions(stack))
    leaving = next(iter(before))

    with region.held_clock():
        region.ec2.terminate_instances(InstanceIds=[leaving])

        (replacement,) = set(region.in_service_versions(stack)) - before
        assert states_of(region, stack, leaving)[0] == "draining"
        assert states_of(region, stack, replacement)[0] == "initial"


@pytest.mark.parametrize(
    ("reason", "state", "description"),
    [
        ("Target.Timeout", "unhealthy", "Request timed out"),
        ("Target.ResponseCodeMismatch", "unhealthy", "Health checks failed with these codes: [400]"),
        ("Elb.InitialHealthChecking", "initial", "Initial health checks in progress"),
    ],
)
def test_a_test_can_force_a_target_health_reason(
    region: Region, stack: Stack, reason: str, state: str, description: str
) -> None:
    instance = next(iter(region.in_service_versions(stack)))

    region.control("/_harness/unhealthy-instance", {"instanceId": instance, "reasonCode": reason})

    assert states_of(region, stack, instance) == (state, reason, description)


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/_harness/unhealthy-instance", {"instanceId": "i-1", "reasonCode": "Nope"}, "reasonCode must be one of"),
        ("/_harness/settings", {"timeScale": 0}, "timeScale must be greater than 0"),
        ("/_harness/settings", {"healthCheckSecs": 5}, "unknown settings: healthCheckSecs"),
    ],
)
def test_the_control_api_rejects_bad_requests(region: Region, path: str, body: dict, error: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as rejected:
        region.control(path, body)

    assert rejected.value.code == 400
    assert error in json.load(rejected.value)["error"]


def test_moto_reset_also_resets_the_harness(region: Region, stack: Stack) -> None:
    instance = next(iter(region.in_service_versions(stack)))
    region.control("/_harness/unhealthy-instance", {"instanceId": instance})
    region.control("/_harness/settings", {"timeScale": 5, "healthCheckSeconds": 1, "deregistrationSeconds": 2})
    region.start_refresh(stack)

    region.control("/moto-api/reset", {})

    state = region.control("/_harness/state")
    assert state["settings"] == {"timeScale": 100.0, "healthCheckSeconds": None, "deregistrationSeconds": None}
    assert (state["unhealthyInstances"], state["liveRefreshes"]) == ({}, [])
    assert region.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []


def test_state_reports_what_the_harness_was_told(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack)

    state = region.control("/_harness/state")

    assert state["liveRefreshes"][0]["instanceRefreshId"] == refresh_id
    # Without --data-plane nothing runs; a release's health is never scripted (test_data_plane.py).
    assert state["dataPlane"] is None
    with pytest.raises(urllib.error.HTTPError) as scripted:
        region.control("/_harness/bad-version", {"launchTemplateId": stack.template_id, "version": 2})
    assert scripted.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{region.endpoint}/_harness/nothing-here")
    assert unknown.value.code == 404
