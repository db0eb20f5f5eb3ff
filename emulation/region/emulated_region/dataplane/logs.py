"""What the awslogs log driver does on EC2: each container's output lines, from podman's k8s-file
log, put into the CloudWatch Logs group and stream the user-data named (awslogs-group,
awslogs-stream). As with awslogs (awslogs-create-group false), the group must exist; the stream
is created."""

import re
from datetime import datetime
from pathlib import Path

from moto.logs.models import logs_backends

# k8s-file lines: "<RFC 3339 time> stdout|stderr F|P <text>" (P: a partial line continues).
LINE = re.compile(r"^(\S+) (stdout|stderr) ([FP]) ?(.*)$")
ACCOUNT = "123456789012"


def _millis(stamp: str) -> int:
    # Nanoseconds are more than fromisoformat takes: cut to microseconds.
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", stamp.replace("Z", "+00:00"))
    return int(datetime.fromisoformat(trimmed).timestamp() * 1000)


class LogTail:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = ""

    def read_events(self) -> list[dict[str, object]]:
        try:
            with open(self.path, "rb") as file:
                file.seek(self.offset)
                data = file.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        events = []
        for raw in complete.decode(errors="replace").splitlines():
            match = LINE.match(raw)
            if not match:
                continue
            stamp, _stream, kind, text = match.groups()
            if kind == "P":
                self.partial += text
                continue
            events.append({"timestamp": _millis(stamp), "message": self.partial + text})
            self.partial = ""
        return events


def forward(tail: LogTail, options: dict[str, str]) -> str | None:
    """Puts new lines into the group/stream; returns why not when the group does not exist."""
    events = tail.read_events()
    if not events:
        return None
    region = options.get("awslogs-region", "us-east-1")
    group, stream = options.get("awslogs-group"), options.get("awslogs-stream")
    backend = logs_backends[ACCOUNT][region]
    if not group or not stream or group not in backend.groups:
        return f"log group {group!r} does not exist in {region}: awslogs would refuse to start the container"
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    backend.put_log_events(group, stream, events)
    return None
