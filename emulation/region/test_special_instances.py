"""Scale-in protected and Standby instances (ScaleInProtectedInstances / StandbyInstances),
`Target.NotInUse` for a target in an Availability Zone its load balancer does not serve, and
draining before termination."""

from conftest import REGION, Region, Stack


def protect_one(region: Region, stack: Stack) -> str:
    instance = sorted(region.in_service_versions(stack))[0]
    region.autoscaling.set_instance_protection(
        AutoScalingGroupName=stack.group, InstanceIds=[instance], ProtectedFromScaleIn=True
    )
    return instance


def standby_one(region: Region, stack: Stack) -> str:
    instance = sorted(region.in_service_versions(stack))[0]
    region.autoscaling.enter_standby(
        AutoScalingGroupName=stack.group, InstanceIds=[instance], ShouldDecrementDesiredCapacity=True
    )
    return instance


def test_protected_instances_are_replaced_under_refresh(region: Region, stack: Stack) -> None:
    protected = protect_one(region, stack)

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack, ScaleInProtectedInstances="Refresh"))

    assert refresh.statuses[-1] == "Successful"
    assert protected not in region.in_service_versions(stack)
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]


def test_protected_instances_are_left_on_their_version_under_ignore(region: Region, stack: Stack) -> None:
    protected = protect_one(region, stack)

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack, ScaleInProtectedInstances="Ignore"))

    assert refresh.statuses[-1] == "Successful"
    assert region.in_service_versions(stack)[protected] == "1"
    assert sorted(region.in_service_versions(stack).values()) == ["1", "2"]


def test_wait_waits_an_hour_of_simulated_time_then_fails(region: Region, stack: Stack) -> None:
    protected = protect_one(region, stack)
    # The default Preferences leave ScaleInProtectedInstances at AWS's default, Wait.
    refresh_id = region.start_refresh(stack)
    region.wait_until(lambda: "Waiting for scale-in protection" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))
    assert region.describe_refresh(stack, refresh_id)["Status"] == "InProgress"
    # Named as AWS's own example names instances: without `i-` (StatusReason wording is undocumented).
    assert protected.removeprefix("i-") in region.describe_refresh(stack, refresh_id)["StatusReason"]
    assert "i-" not in region.describe_refresh(stack, refresh_id)["StatusReason"]

    region.control("/_harness/settings", {"timeScale": 20000})  # an hour in 0.18 s
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Failed"
    assert refresh.final["StatusReason"].startswith("Instance refresh failed: waited 3600 seconds")
    assert protected.removeprefix("i-") in refresh.final["StatusReason"]


def test_wait_continues_once_the_protection_is_removed(region: Region, stack: Stack) -> None:
    protected = protect_one(region, stack)
    refresh_id = region.start_refresh(stack, ScaleInProtectedInstances="Wait")
    region.wait_until(lambda: "Waiting for scale-in protection" in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))

    region.autoscaling.set_instance_protection(
        AutoScalingGroupName=stack.group, InstanceIds=[protected], ProtectedFromScaleIn=False
    )
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "Successful"
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]


def test_standby_instances_terminate_ignore_and_wait(region: Region, stack: Stack) -> None:
    standby = standby_one(region, stack)
    refresh = region.wait_for_refresh(stack, region.start_refresh(stack, StandbyInstances="Ignore"))
    assert refresh.statuses[-1] == "Successful"
    states = {i["InstanceId"]: i["LifecycleState"] for i in region.group(stack)["Instances"]}
    assert states[standby] == "Standby"

    region.autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=stack.group, LaunchTemplate={"LaunchTemplateId": stack.template_id, "Version": "1"}
    )
    refresh_id = region.start_refresh(stack, StandbyInstances="Wait")
    region.wait_until(lambda: standby.removeprefix("i-") in (region.describe_refresh(stack, refresh_id).get("StatusReason") or ""))
    region.autoscaling.cancel_instance_refresh(AutoScalingGroupName=stack.group)
    region.wait_for_refresh(stack, refresh_id)

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack, StandbyInstances="Terminate"))
    assert refresh.statuses[-1] == "Successful"
    assert standby not in {i["InstanceId"] for i in region.group(stack)["Instances"]}


def test_a_target_outside_the_load_balancers_zones_is_unused_not_in_use(region: Region, stack: Stack) -> None:
    vpc = region.elbv2.describe_target_groups(TargetGroupArns=[stack.target_group_arn])["TargetGroups"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in region.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    sg = region.ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    balancer = region.elbv2.create_load_balancer(Name="web", Subnets=subnets[:2], SecurityGroups=[sg])
    region.elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": stack.target_group_arn}],
    )
    zone_c = region.ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.9.0/24", AvailabilityZone=f"{REGION}c")
    outsider = region.ec2.run_instances(
        ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=zone_c["Subnet"]["SubnetId"]
    )["Instances"][0]["InstanceId"]
    region.elbv2.register_targets(TargetGroupArn=stack.target_group_arn, Targets=[{"Id": outsider}])

    states = {target[0]: target[1:] for target in region.targets(stack)}

    assert states[outsider] == (
        "unused", "Target.NotInUse", "Target is in an Availability Zone that is not enabled for the load balancer"
    )
    assert {state[0] for instance, state in states.items() if instance != outsider} == {"healthy"}


def test_a_replaced_instance_drains_as_terminating_before_it_is_terminated(region: Region, stack: Stack) -> None:
    region.control("/_harness/settings", {"deregistrationSeconds": 300})
    old = set(region.in_service_versions(stack))

    refresh = region.wait_for_refresh(stack, region.start_refresh(stack))

    assert refresh.statuses[-1] == "Successful"
    states = {i["InstanceId"]: i["LifecycleState"] for i in region.group(stack)["Instances"]}
    assert {states[instance] for instance in old} == {"Terminating"}
    assert {target[1:3] for target in region.targets(stack) if target[0] in old} == {
        ("draining", "Target.DeregistrationInProgress")
    }
    running = region.ec2.describe_instances(InstanceIds=sorted(old))["Reservations"]
    assert {i["State"]["Name"] for r in running for i in r["Instances"]} == {"running"}

    region.wait_until(lambda: not old & {i["InstanceId"] for i in region.group(stack)["Instances"]})
    assert not old & {target[0] for target in region.targets(stack)}
    gone = region.ec2.describe_instances(InstanceIds=sorted(old))["Reservations"]
    assert {i["State"]["Name"] for r in gone for i in r["Instances"]} == {"terminated"}
