"""Real ALB health checks: HTTP requests to each registered instance with its target group's
settings, and the target states and reason codes AWS documents for the results.

- Each check is `GET <path>` to the instance's port (the traffic port or the configured one) on
  its loopback address, with `Host: <private IP>` as the ALB sends it, `timeout` seconds to answer.
- A new target is `initial` (`Elb.RegistrationInProgress` until its first check completes, then
  `Elb.InitialHealthChecking`) until one check passes (`healthy`: "After your target is
  registered, it must pass one health check to be considered healthy", ALB user guide, "Health
  checks for Application Load Balancer target groups") or `unhealthy threshold` checks in a row
  fail (`unhealthy`). A healthy target turns unhealthy after `unhealthy threshold` failures in a
  row, and back after `healthy threshold` passes (HealthyThresholdCount: "the number of
  consecutive successful health checks required before considering an unhealthy target healthy").
- Failure reasons: `Target.ResponseCodeMismatch` ("Health checks failed with these codes: [500]"),
  `Target.Timeout` ("Request timed out"), `Target.FailedHealthChecks` (the connection failed).
Intervals and timeouts are simulated seconds: divided by the region's time scale in real time;
the thresholds are counted as they are.
"""

import http.client
import re
import socket
from dataclasses import dataclass, field

REGISTERING = ("initial", "Elb.RegistrationInProgress", "Target registration is in progress")
INITIAL_CHECKING = ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")


@dataclass(frozen=True)
class CheckSettings:
    path: str
    port: int
    matcher: str
    interval: float
    timeout: float
    healthy_threshold: int
    unhealthy_threshold: int

    @classmethod
    def of(cls, target_group: object) -> "CheckSettings":
        port = target_group.health_check_port  # type: ignore[attr-defined]
        matcher = (target_group.matcher or {}).get("HttpCode", "200")  # type: ignore[attr-defined]
        return cls(
            path=target_group.health_check_path or "/",  # type: ignore[attr-defined]
            port=int(target_group.port if port in (None, "traffic-port") else port),  # type: ignore[attr-defined]
            matcher=matcher,
            interval=float(target_group.health_check_interval_seconds),  # type: ignore[attr-defined]
            timeout=float(target_group.health_check_timeout_seconds),  # type: ignore[attr-defined]
            healthy_threshold=int(target_group.healthy_threshold_count),  # type: ignore[attr-defined]
            unhealthy_threshold=int(target_group.unhealthy_threshold_count),  # type: ignore[attr-defined]
        )


def matches(matcher: str, status: int) -> bool:
    """An ALB matcher: codes and ranges, comma separated ("200", "200-299", "200,202")."""
    for part in matcher.split(","):
        low, _, high = part.strip().partition("-")
        if re.fullmatch(r"\d+", low) and int(low) <= status <= int(high or low):
            return True
    return False


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    reason: str | None = None
    description: str | None = None


def check_once(address: str, private_ip: str, settings: CheckSettings, timeout_seconds: float) -> CheckResult:
    connection = http.client.HTTPConnection(address, settings.port, timeout=timeout_seconds)
    try:
        connection.request("GET", settings.path, headers={"Host": private_ip, "User-Agent": "ELB-HealthChecker/2.0",
                                                          "Connection": "close"})
        status = connection.getresponse().status
    except (TimeoutError, socket.timeout):
        return CheckResult(False, "Target.Timeout", "Request timed out")
    except OSError:
        return CheckResult(False, "Target.FailedHealthChecks", "Health checks failed")
    except http.client.HTTPException:
        return CheckResult(False, "Target.FailedHealthChecks", "Health checks failed")
    finally:
        connection.close()
    if matches(settings.matcher, status):
        return CheckResult(True)
    return CheckResult(False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{status}]")


@dataclass
class TargetHealth:
    """One target's standing in one target group, moved by check results."""

    registered_at: float
    state: tuple[str, str | None, str | None] = REGISTERING
    since: float = 0.0
    passes: int = 0
    failures: int = 0
    checks: int = 0
    next_check_at: float = 0.0
    in_flight: bool = False
    history: list[str] = field(default_factory=list)

    def record(self, result: CheckResult, settings: CheckSettings, now: float) -> None:
        self.checks += 1
        if result.passed:
            self.passes, self.failures = self.passes + 1, 0
        else:
            self.passes, self.failures = 0, self.failures + 1
        current = self.state[0]
        new = self.state
        if result.passed and (current == "initial" or self.passes >= settings.healthy_threshold):
            new = ("healthy", None, None)
        elif not result.passed and self.failures >= settings.unhealthy_threshold:
            new = ("unhealthy", result.reason, result.description)
        elif current == "initial":
            new = INITIAL_CHECKING
        elif current == "unhealthy" and not result.passed:
            new = ("unhealthy", result.reason, result.description)
        if new != self.state:
            self.state, self.since = new, now
            self.history.append(" ".join(part for part in new if part))
