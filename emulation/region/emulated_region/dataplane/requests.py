"""The requests each haproxy served, read from its request log (balancer.py's REQUEST_LOG_FORMAT),
as the load balancer metrics (../alb_metrics.py) count them: per target group, the status, and the
target's response time when a target answered. A request haproxy answered itself (no server, or a
server that never sent headers) is the load balancer's own error, not the target's."""

from typing import Any

from ..alb_metrics import Request

LINE_PREFIX = "alb-request "


def parse(line: str, target_groups: dict[str, str]) -> Request | None:
    """One log line; None for haproxy's other output or a backend this region does not know."""
    if not line.startswith(LINE_PREFIX):
        return None
    parts = line[len(LINE_PREFIX):].split()
    if len(parts) != 4 or parts[0] not in target_groups:
        return None
    backend, server, status, response_ms = parts
    try:
        code, milliseconds = int(status), int(response_ms)
    except ValueError:
        return None
    answered = server != "<NOSRV>" and milliseconds >= 0
    return Request(target_groups[backend], code, milliseconds / 1000 if answered else None)


class HaproxyRequests:
    """The data plane's RequestSource: new lines of every balancer's log since the last drain."""

    def __init__(self, plane: Any, backend_name: Any) -> None:
        self.plane = plane
        self.backend_name = backend_name
        self.offsets: dict[str, int] = {}

    def drain(self) -> list[Request]:
        requests: list[Request] = []
        for layout, balancer in list(self.plane.balancers.values()):
            target_groups = {self.backend_name(arn): arn for _, arn in layout}
            log = balancer.directory / "haproxy.log"
            key = str(log)
            try:
                if log.stat().st_size < self.offsets.get(key, 0):
                    self.offsets[key] = 0  # a new haproxy for the same load balancer: a new log
                with open(log, "rb") as handle:
                    handle.seek(self.offsets.get(key, 0))
                    chunk = handle.read()
            except OSError:
                continue
            complete = chunk[: chunk.rfind(b"\n") + 1]  # a line haproxy is still writing waits
            self.offsets[key] = self.offsets.get(key, 0) + len(complete)
            for line in complete.decode(errors="replace").splitlines():
                request = parse(line, target_groups)
                if request is not None:
                    requests.append(request)
        return requests
