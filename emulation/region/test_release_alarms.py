"""Release alarms: the load balancer's metrics and alarms evaluated like CloudWatch (in-process,
with a request source the test feeds; the shipped source is the real haproxy's request log), and
an instance refresh that honours AlarmSpecification while InProgress and Baking (server)."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import Region, Stack
from moto import mock_aws

from emulated_region.alb_metrics import AlbMetrics, Request, evaluate_expression, statistic
from emulated_region.clock import SimulatedClock
from emulated_region.dataplane.requests import parse
from emulated_region.state import Harness

REGION = "eu-west-1"


class FedRequests:
    """Test-only source: the requests a test queues for the next drain."""

    def __init__(self) -> None:
        self.queued: list[Request] = []

    def drain(self) -> list[Request]:
        drained, self.queued = self.queued, []
        return drained


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def alb() -> Iterator[dict[str, Any]]:
    time = ManualTime()
    harness = Harness(initial_time_scale=1.0, parts=(AlbMetrics,))
    harness.clock = SimulatedClock(1.0, real_clock=time)
    source = FedRequests()
    harness.part(AlbMetrics).source = source
    with mock_aws():
        ec2, elbv2 = boto3.client("ec2", region_name=REGION), boto3.client("elbv2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{REGION}{z}")
                   ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
        balancer = elbv2.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
        elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=80,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
        dimensions = [{"Name": "LoadBalancer", "Value": balancer.split(":loadbalancer/")[1]},
                      {"Name": "TargetGroup", "Value": group["TargetGroupArn"].rsplit(":", 1)[1]}]
        yield {"harness": harness, "time": time, "source": source, "arn": group["TargetGroupArn"],
               "dimensions": dimensions, "cloudwatch": boto3.client("cloudwatch", region_name=REGION)}


def put_share_alarm(alb: dict[str, Any]) -> None:
    def metric(name: str) -> dict[str, Any]:
        return {"Id": name.split("_")[0].lower(), "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": name, "Dimensions": alb["dimensions"]},
            "Period": 60, "Stat": "Sum"}}

    alb["cloudwatch"].put_metric_alarm(
        AlarmName="web-5xx-share", ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=2,
        DatapointsToAlarm=2, Threshold=5, TreatMissingData="notBreaching",
        Metrics=[{"Id": "share", "Expression": "100 * httpcode / requestcount", "ReturnData": True},
                 metric("HTTPCode_Target_5XX_Count"), metric("RequestCount")],
    )


def minute(alb: dict[str, Any], requests: int, failing: int, seconds: float = 0.05) -> None:
    """One minute of traffic, then the clock moves past its end and the region advances."""
    alb["source"].queued = [Request(alb["arn"], 500 if i < failing else 200, seconds) for i in range(requests)]
    alb["harness"].advance()
    alb["time"].now += 60
    alb["harness"].advance()


def alarm(alb: dict[str, Any], name: str) -> dict[str, Any]:
    return alb["cloudwatch"].describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def test_the_5xx_share_alarm_fires_after_two_bad_minutes_and_clears(alb: dict[str, Any]) -> None:
    put_share_alarm(alb)
    minute(alb, 100, 0)
    minute(alb, 100, 20)
    assert alarm(alb, "web-5xx-share")["StateValue"] == "OK"  # one bad minute of two

    minute(alb, 100, 20)

    fired = alarm(alb, "web-5xx-share")
    assert fired["StateValue"] == "ALARM"
    assert json.loads(fired["StateReasonData"])["recentDatapoints"] == [20.0, 20.0]
    assert "2 out of the last 2 datapoints [20, 20] were greater than the threshold (5)" in fired["StateReason"]
    minute(alb, 100, 0)
    minute(alb, 100, 0)
    assert alarm(alb, "web-5xx-share")["StateValue"] == "OK"


def test_no_traffic_is_not_breaching_and_the_balancers_own_errors_are_not_the_targets(alb: dict[str, Any]) -> None:
    put_share_alarm(alb)
    minute(alb, 0, 0)
    alb["source"].queued = [Request(alb["arn"], 503, None) for _ in range(50)]  # haproxy: no server
    minute(alb, 0, 0)
    minute(alb, 0, 0)

    assert alarm(alb, "web-5xx-share")["StateValue"] == "OK"


def test_the_p95_response_time_alarm_reads_the_percentile_not_the_average(alb: dict[str, Any]) -> None:
    alb["cloudwatch"].put_metric_alarm(
        AlarmName="web-p95", Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime",
        Dimensions=alb["dimensions"], ExtendedStatistic="p95", Period=60, EvaluationPeriods=2,
        DatapointsToAlarm=2, Threshold=2, ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
    )
    for _ in range(2):  # 10% of requests take 3 s: the average stays under 1 s, p95 is 3 s
        alb["source"].queued = [Request(alb["arn"], 200, 3.0 if i < 10 else 0.05) for i in range(100)]
        alb["harness"].advance()
        alb["time"].now += 60
        alb["harness"].advance()

    assert alarm(alb, "web-p95")["StateValue"] == "ALARM"


def test_metric_math_and_statistics() -> None:
    assert evaluate_expression("100 * errors / requests", {"errors": 3.0, "requests": 60.0}) == 5.0
    assert evaluate_expression("100 * errors / requests", {"errors": 3.0, "requests": 0.0}) is None
    assert evaluate_expression("(a + b) * 2 - -1", {"a": 1.0, "b": None}) is None
    assert statistic([0.1] * 95 + [5.0] * 5, "p95") == 0.1
    assert statistic([0.1] * 94 + [5.0] * 6, "p95") == 5.0
    assert statistic([], "Sum") is None


def test_haproxy_request_lines_name_target_group_status_and_target_time() -> None:
    groups = {"tg_abc": "arn:tg"}
    assert parse("alb-request tg_abc srv1 500 12", groups) == Request("arn:tg", 500, 0.012)
    assert parse("alb-request tg_abc <NOSRV> 503 -1", groups) == Request("arn:tg", 503, None)
    assert parse("[NOTICE] haproxy started", groups) is None
    assert parse("alb-request tg_other srv1 200 3", groups) is None


# -- the refresh (server) ---------------------------------------------------------------------------

def watched_alarm(region: Region, name: str = "release-errors") -> Any:
    cloudwatch = region.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="Release", MetricName="Errors", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
    )
    return cloudwatch


def fire(cloudwatch: Any, name: str = "release-errors") -> None:
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="Threshold Crossed: test")


def test_an_alarm_in_progress_rolls_the_refresh_back(region: Region, stack: Stack) -> None:
    cloudwatch = watched_alarm(region)
    refresh_id = region.start_refresh(stack, MinHealthyPercentage=50, MaxHealthyPercentage=100, AutoRollback=True,
                                      AlarmSpecification={"Alarms": ["release-errors"]})
    region.wait_until(lambda: region.describe_refresh(stack, refresh_id)["Status"] == "InProgress")

    fire(cloudwatch)
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-1] == "RollbackSuccessful"
    assert "release-errors" in refresh.final["RollbackDetails"]["RollbackReason"]
    assert refresh.final["Preferences"]["AlarmSpecification"] == {"Alarms": ["release-errors"]}
    assert list(region.in_service_versions(stack).values()) == ["1", "1"]


def test_an_alarm_while_baking_rolls_back_every_replaced_instance(region: Region, stack: Stack) -> None:
    cloudwatch = watched_alarm(region)
    refresh_id = region.start_refresh(stack, AutoRollback=True, BakeTime=86_400,
                                      AlarmSpecification={"Alarms": ["release-errors"]})
    region.wait_until(lambda: region.describe_refresh(stack, refresh_id)["Status"] == "Baking", timeout=60)
    assert list(region.in_service_versions(stack).values()) == ["2", "2"]

    fire(cloudwatch)
    refresh = region.wait_for_refresh(stack, refresh_id)

    assert refresh.statuses[-2:] == ["RollbackInProgress", "RollbackSuccessful"]
    assert list(region.in_service_versions(stack).values()) == ["1", "1"]
    assert region.group(stack)["LaunchTemplate"]["Version"] == "1"


def test_without_auto_rollback_an_alarm_fails_the_refresh(region: Region, stack: Stack) -> None:
    cloudwatch = watched_alarm(region)
    refresh_id = region.start_refresh(stack, BakeTime=86_400, AlarmSpecification={"Alarms": ["release-errors"]})
    region.wait_until(lambda: region.describe_refresh(stack, refresh_id)["Status"] == "Baking", timeout=60)

    fire(cloudwatch)

    assert region.wait_for_refresh(stack, refresh_id).statuses[-1] == "Failed"


def test_alarm_specification_is_checked(region: Region, stack: Stack) -> None:
    watched_alarm(region)
    with pytest.raises(ClientError) as too_many:
        region.start_refresh(stack, AlarmSpecification={"Alarms": [f"a{i}" for i in range(11)]})
    with pytest.raises(ClientError) as missing:
        region.start_refresh(stack, AlarmSpecification={"Alarms": ["release-errors", "nope"]})

    assert "up to 10" in too_many.value.response["Error"]["Message"]
    assert "nope" in missing.value.response["Error"]["Message"]


def test_the_real_haproxy_logs_each_request_for_the_metrics(tmp_path: Any) -> None:
    """The shipped request source reads haproxy 2.6's own log: a target's 500 counts as the
    target's, a request with no server as the load balancer's own."""
    import http.server
    import socket
    import threading
    import urllib.error
    import urllib.request

    from emulated_region.dataplane.balancer import Balancer
    from emulated_region.dataplane.requests import HaproxyRequests

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(500 if self.path == "/fail" else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    balancer = Balancer(tmp_path / "lb", "127.0.0.1", {port: "tg_web"})
    try:
        plane = type("Plane", (), {"balancers": {"arn:lb": (((port, "arn:tg"),), balancer)}})()
        source = HaproxyRequests(plane, lambda arn: "tg_web")
        balancer.route("tg_web", {"s1": f"127.0.0.1:{target.server_address[1]}"})
        for path in ("/", "/fail", "/"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).close()
            except urllib.error.HTTPError:
                pass
        balancer.route("tg_web", {})
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).close()
        except urllib.error.HTTPError:
            pass
        requests: list[Request] = []
        Region.wait_until(lambda: bool(requests.extend(source.drain())) or len(requests) >= 4, timeout=20)

        assert [request.status for request in requests] == [200, 500, 200, 503]
        assert all(request.target_seconds is not None for request in requests[:3])
        assert requests[3].target_seconds is None  # no server: the load balancer's own 503
    finally:
        balancer.close()
        target.shutdown()
