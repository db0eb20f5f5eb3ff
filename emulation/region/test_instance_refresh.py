"""Instance refresh through boto3 against the running server: AWS's API shapes, errors and rules."""

import pytest
from botocore.exceptions import ClientError
from conftest import Region, Stack


BAKE_SECONDS = 86_400


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def test_rolls_every_instance_onto_the_desired_version_launching_first(region: Region, stack: Stack) -> None:
    old_instances = set(region.in_service_versions(stack))

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack))

    assert refresh.statuses[-1] == "Successful"
    assert refresh.final["PercentageComplete"] == 100
    assert refresh.final["InstancesToUpdate"] == 0
    assert refresh.final["EndTime"] >= refresh.final["StartTime"]
    assert refresh.final["DesiredConfiguration"]["LaunchTemplate"]["Version"] == "2"
    assert refresh.final["Preferences"]["MaxHealthyPercentage"] == 200
    # Max 200%: both replacements launch before an old instance goes, so capacity never drops.
    assert (refresh.most_in_service, refresh.fewest_healthy) == (4, 2)
    assert region.group(stack)["LaunchTemplate"]["Version"] == "2"
    versions = region.in_service_versions(stack)
    assert list(versions.values()) == ["2", "2"] and not old_instances & set(versions)
    seen = {(state, reason, description) for instance, state, reason, description in refresh.target_states
            if instance in versions}
    assert ("initial", "Elb.RegistrationInProgress", "Target registration is in progress") in seen
    assert ("healthy", None, None) in seen
    draining = {instance for instance, state, reason, _ in region.targets(stack)
                if (state, reason) == ("draining", "Target.DeregistrationInProgress")}
    assert draining == old_instances


def test_replaces_one_at_a_time_when_min_and_max_are_both_100(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=100, MaxHealthyPercentage=100)

    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Successful"
    # AWS's one-at-a-time mode launches before it terminates: one above desired capacity while
    # replacing, never a healthy instance short.
    assert (refresh.most_in_service, refresh.fewest_healthy) == (3, 2)
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]


def test_without_max_healthy_percentage_terminates_and_launches_together(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=None)

    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Successful"
    assert "MaxHealthyPercentage" not in refresh.final["Preferences"]
    # Down to the minimum (one of two), the replacement launched as the old one goes.
    assert (refresh.most_in_service, refresh.fewest_healthy) == (2, 1)
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]


def test_a_second_refresh_is_refused_while_one_is_active(region: Region, stack: Stack) -> None:
    first = region.start_refresh(stack)

    with pytest.raises(ClientError) as refused:
        region.start_refresh(stack)

    assert error_code(refused) == "InstanceRefreshInProgress"
    listed = region.autoscaling.describe_instance_refreshes(AutoScalingGroupName=stack.group)
    assert [r["InstanceRefreshId"] for r in listed["InstanceRefreshes"]] == [first]


def test_cancel_lets_the_replacement_under_way_finish_then_stops(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=100, MaxHealthyPercentage=100)

    cancelled = region.autoscaling.cancel_instance_refresh(AutoScalingGroupName=stack.group)
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert cancelled["InstanceRefreshId"] == refresh_id
    assert refresh.statuses[-2:] == ["Cancelling", "Cancelled"]
    assert sorted(region.in_service_versions(stack).values()) == ["1", "2"]
    assert region.group(stack)["LaunchTemplate"]["Version"] == "1"
    with pytest.raises(ClientError) as nothing_active:
        region.autoscaling.cancel_instance_refresh(AutoScalingGroupName=stack.group)
    assert error_code(nothing_active) == "ActiveInstanceRefreshNotFound"


def test_manual_rollback_returns_the_group_to_its_previous_version(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=100)
    first_batch = region.wait_until(lambda: region.describe_refresh(stack, refresh_id)["PercentageComplete"] == 50)

    region.autoscaling.rollback_instance_refresh(AutoScalingGroupName=stack.group)
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert first_batch
    assert refresh.statuses[-1] == "RollbackSuccessful"
    assert refresh.final["RollbackDetails"]["PercentageCompleteOnRollback"] == 50
    assert refresh.final["PercentageComplete"] == 0
    assert list(region.in_service_versions(stack).values()) == ["1", "1"]
    with pytest.raises(ClientError) as ended:
        region.autoscaling.rollback_instance_refresh(AutoScalingGroupName=stack.group)
    assert error_code(ended) == "ActiveInstanceRefreshNotFound"


IRREVERSIBLE = pytest.mark.parametrize(
    ("group_version", "desired_version", "message"),
    [
        ("$Latest", "2", "the Auto Scaling group uses launch template version $Latest"),
        ("1", "$Latest", "the desired configuration uses launch template version $Latest"),
        ("1", None, "no desired configuration"),
    ],
)


@IRREVERSIBLE
def test_rollback_needs_concrete_versions(
    region: Region, group_version: str, desired_version: str | None, message: str
) -> None:
    stack = region.seed(group_version=group_version)
    region.start_refresh(stack, version=desired_version)

    with pytest.raises(ClientError) as irreversible:
        region.autoscaling.rollback_instance_refresh(AutoScalingGroupName=stack.group)

    assert error_code(irreversible) == "IrreversibleInstanceRefresh"
    assert message in irreversible.value.response["Error"]["Message"]


@IRREVERSIBLE
def test_auto_rollback_is_refused_up_front_without_concrete_versions(
    region: Region, group_version: str, desired_version: str | None, message: str
) -> None:
    stack = region.seed(group_version=group_version)

    with pytest.raises(ClientError) as refused:
        region.start_refresh(stack, version=desired_version, AutoRollback=True)

    # StartInstanceRefresh's error model has no IrreversibleInstanceRefresh: it is a ValidationError.
    assert error_code(refused) == "ValidationError"
    assert message in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("preferences", "message"),
    [
        ({"MinHealthyPercentage": 100, "MaxHealthyPercentage": 250}, "MaxHealthyPercentage must be between 100"),
        ({"MinHealthyPercentage": 50, "MaxHealthyPercentage": 99}, "MaxHealthyPercentage must be between 100"),
        ({"MinHealthyPercentage": 90, "MaxHealthyPercentage": 200}, "cannot be greater than 100"),
        ({"CheckpointPercentages": [60, 30]}, "ascending order"),
    ],
)
def test_preferences_are_validated(region: Region, stack: Stack, preferences: dict, message: str) -> None:
    # Like the JavaScript SDK, send the request unchecked: the server must refuse it itself.
    unchecked = region.client("autoscaling", parameter_validation=False)
    with pytest.raises(ClientError) as invalid:
        unchecked.start_instance_refresh(AutoScalingGroupName=stack.group, Preferences=preferences)

    assert error_code(invalid) == "ValidationError"
    assert message in invalid.value.response["Error"]["Message"]


def test_max_healthy_percentage_needs_min(region: Region, stack: Stack) -> None:
    with pytest.raises(ClientError) as invalid:
        region.autoscaling.start_instance_refresh(
            AutoScalingGroupName=stack.group, Preferences={"MaxHealthyPercentage": 150}
        )

    assert error_code(invalid) == "ValidationError"
    assert "must specify MinHealthyPercentage" in invalid.value.response["Error"]["Message"]


def test_skip_matching_leaves_instances_already_on_the_version(region: Region, stack: Stack) -> None:
    region.wait_for_refresh(stack, region.start_refresh(stack))
    instances = region.in_service_versions(stack)

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack, SkipMatching=True))

    assert refresh.statuses[-1] == "Successful"
    assert refresh.final["PercentageComplete"] == 100 and refresh.final["InstancesToUpdate"] == 0
    assert region.in_service_versions(stack) == instances
    described = region.autoscaling.describe_auto_scaling_instances(InstanceIds=list(instances))
    assert {i["LaunchTemplate"]["Version"] for i in described["AutoScalingInstances"]} == {"2"}
    history = region.autoscaling.describe_instance_refreshes(AutoScalingGroupName=stack.group)["InstanceRefreshes"]
    assert [r["Status"] for r in history] == ["Successful", "Successful"]
    assert history[0]["InstanceRefreshId"] == refresh.final["InstanceRefreshId"]


def test_pauses_at_checkpoints_and_bakes_before_succeeding(region: Region, stack: Stack) -> None:
    refresh_id = region.start_refresh(
        stack, MinHealthyPercentage=100, MaxHealthyPercentage=100,
        CheckpointPercentages=[50, 100], CheckpointDelay=30, BakeTime=BAKE_SECONDS,
    )

    # A day of baking (864 s real at 100x) is read however slowly a busy machine answers; then the
    # day passes in a fraction of a second.
    region.wait_until(lambda: region.describe_refresh(stack, refresh_id)["Status"] == "Baking", timeout=60)
    region.control("/_harness/settings", {"timeScale": 1_000_000})
    refresh = region.wait_for_refresh(stack, refresh_id)

    # Baking, then Successful and nothing in between.
    assert refresh.statuses[-1] == "Successful" and set(refresh.statuses) <= {"Baking", "Successful"}
    assert refresh.final["Preferences"]["CheckpointPercentages"] == [50, 100]
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]
