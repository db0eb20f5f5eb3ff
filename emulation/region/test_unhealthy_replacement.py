"""AWS's documented timing for releases that fail their health checks (issue 21): unhealthy
instances are replaced, a refresh retries for an hour, a new target needs one passing check, the
update restriction while a refresh with a desired configuration is active."""

import pytest
from botocore.exceptions import ClientError
from conftest import Region, Stack


def fail_version(region: Region, version: str, reason: str = "Target.ResponseCodeMismatch") -> None:
    region.control("/_harness/unhealthy-version", {"launchTemplateVersion": version, "reasonCode": reason})


def health_statuses(region: Region, stack: Stack) -> dict[str, tuple[str, str]]:
    return {i["InstanceId"]: (i["LifecycleState"], i["HealthStatus"]) for i in region.group(stack)["Instances"]}


def test_an_unhealthy_instance_is_marked_unhealthy_and_replaced(region: Region, stack: Stack) -> None:
    before = set(region.in_service_versions(stack))
    victim = sorted(before)[0]
    region.control("/_harness/unhealthy-instance", {"instanceId": victim})

    region.wait_until(lambda: health_statuses(region, stack).get(victim, ("Terminating", ""))[1] == "Unhealthy"
                      or victim not in health_statuses(region, stack))
    region.wait_until(lambda: len(region.in_service_versions(stack)) == 2 and victim not in region.in_service_versions(stack))

    assert set(region.in_service_versions(stack)) - before, "a replacement was launched"


def test_a_refresh_keeps_replacing_failing_instances_for_an_hour_then_fails(region: Region, stack: Stack) -> None:
    fail_version(region, "2")
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=100)

    # Far more than a minute after the first failed check (the old harness failed it then): still
    # InProgress, with replacements of replacements launched from version 2.
    region.wait_until(lambda: "replaced after failing them" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))
    with region.held_clock():
        during = region.describe_refresh(stack, refresh_id)
        assert during["Status"] == "InProgress"
        assert "i-" not in during["StatusReason"]
        unhealthy = [i for i, (_, health) in health_statuses(region, stack).items() if health == "Unhealthy"]
        assert unhealthy

    region.control("/_harness/settings", {"timeScale": 20000})  # the rest of the hour in well under a second
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Failed"
    assert refresh.final["StatusReason"].startswith(
        "Instance refresh failed: new instances did not pass their health checks for 3600 seconds")
    assert "i-" not in refresh.final["StatusReason"]


def test_with_auto_rollback_the_hour_ends_in_a_rollback(region: Region, stack: Stack) -> None:
    old = region.in_service_versions(stack)
    fail_version(region, "2")
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=100, AutoRollback=True)
    region.wait_until(lambda: "replaced after failing them" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))
    assert region.describe_refresh(stack, refresh_id)["Status"] == "InProgress"

    region.control("/_harness/settings", {"timeScale": 20000})
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "RollbackSuccessful"
    assert refresh.final["RollbackDetails"]["RollbackReason"].startswith("Automatic rollback: Instance refresh failed")
    assert list(region.in_service_versions(stack).values()) == ["1"] * len(old)
    assert region.group(stack)["LaunchTemplate"]["Version"] == "1"


def test_a_new_target_is_healthy_after_one_passing_check(region: Region, stack: Stack) -> None:
    region.control("/_harness/settings", {"healthCheckSeconds": None, "timeScale": 10})
    checked = region.elbv2.create_target_group(
        Name="checked", Protocol="HTTP", Port=80, VpcId=region.ec2.describe_vpcs()["Vpcs"][-1]["VpcId"],
        HealthCheckIntervalSeconds=30, HealthyThresholdCount=10,
    )["TargetGroups"][0]["TargetGroupArn"]
    instance = next(iter(region.in_service_versions(stack)))
    region.elbv2.register_targets(TargetGroupArn=checked, Targets=[{"Id": instance}])

    def state() -> str:
        return region.elbv2.describe_target_health(TargetGroupArn=checked)["TargetHealthDescriptions"][0][
            "TargetHealth"]["State"]

    # One 30 s interval (3 s real), not interval x threshold (300 s, 30 s real).
    region.wait_until(lambda: state() == "healthy", timeout=20)


def test_the_launch_template_cannot_change_during_a_refresh_with_a_desired_configuration(
    region: Region, stack: Stack
) -> None:
    region.start_refresh(stack, MinHealthyPercentage=100, MaxHealthyPercentage=100)

    with pytest.raises(ClientError) as refused:
        region.autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=stack.group, LaunchTemplate={"LaunchTemplateId": stack.template_id, "Version": "1"})

    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "An active instance refresh with a desired configuration exists" in str(refused.value)
    # Other settings stay open to change.
    region.autoscaling.update_auto_scaling_group(AutoScalingGroupName=stack.group, MaxSize=6)


def test_a_scale_out_during_a_refresh_launches_the_desired_configuration(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=100, MaxHealthyPercentage=100)
    with region.held_clock():
        before = set(region.in_service_versions(stack))
        # moto counts the refresh's extra instance as capacity: 4 makes room for a real scale-out.
        region.autoscaling.set_desired_capacity(AutoScalingGroupName=stack.group, DesiredCapacity=4)
        added = {i: v for i, v in region.in_service_versions(stack).items() if i not in before}

    assert added and set(added.values()) == {"2"}
    refresh = region.wait_for_refresh(stack, refresh_id)
    assert refresh.statuses[-1] == "Successful"


def test_a_cancel_while_replacements_keep_failing_ends_cancelled(region: Region, stack: Stack) -> None:
    fail_version(region, "2")
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=100)
    region.wait_until(lambda: "replaced after failing them" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))

    region.autoscaling.cancel_instance_refresh(AutoScalingGroupName=stack.group)
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Cancelled"
