"""The ALB's data path: one haproxy per load balancer on a loopback address standing in for its
DNS name, forwarding each listener port to the target group its default action names.

Routing follows the ALB: requests go to registered targets that are `healthy` (none that are
initial, unhealthy or draining); when no target is healthy the ALB fails open and routes to every
registered target. Targets change through haproxy's runtime API (`add server`, `set server ...
state maint`, `del server` once its connections are done), so the backend set changes without a
reload and without dropping a connection. A deregistered target gets no new requests; requests in
flight finish (the deregistration delay keeps its container running meanwhile).
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CONFIG = """global
    stats socket {socket} mode 600 level admin
    maxconn 2000
    log stdout format raw local0

defaults
    mode http
    log global
    log-format "{log_format}"
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    timeout http-request 60s

{frontends}
"""
FRONTEND = """frontend listener_{port}
    bind {address}:{port}
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Port {port}
    default_backend {backend}

backend {backend}
    balance roundrobin
"""


# One line per request, read by requests.py: backend, server (<NOSRV> when no target was reached),
# status, and the server's response time in ms (%Tr: until its response headers; -1 without one).
REQUEST_LOG_FORMAT = "alb-request %b %s %ST %Tr"


class Balancer:
    """haproxy for one load balancer: {listener port: backend name} and the servers in each."""

    def __init__(self, directory: Path, address: str, listeners: dict[int, str]) -> None:
        self.directory = directory
        self.address = address
        self.listeners = listeners
        self.servers: dict[str, dict[str, str]] = {backend: {} for backend in set(listeners.values())}
        self.leaving: dict[str, set[str]] = {backend: set() for backend in self.servers}
        directory.mkdir(parents=True, exist_ok=True)
        self.socket_path = directory / "admin.sock"
        frontends = "\n".join(
            FRONTEND.format(port=port, address=address, backend=backend) for port, backend in listeners.items()
        )
        (directory / "haproxy.cfg").write_text(CONFIG.format(socket=self.socket_path, frontends=frontends, log_format=REQUEST_LOG_FORMAT))
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.process = subprocess.Popen(
            [haproxy, "-db", "-f", str(directory / "haproxy.cfg")],
            stdin=subprocess.DEVNULL, stdout=open(directory / "haproxy.log", "wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.socket_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start: {(directory / 'haproxy.log').read_text()}")
            time.sleep(0.02)

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.settimeout(5)
            admin.connect(str(self.socket_path))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def route(self, backend: str, wanted: dict[str, str]) -> None:
        """Makes the backend's serving set exactly `wanted` ({server name: address:port})."""
        current = self.servers[backend]
        for name, address in wanted.items():
            if current.get(name) == address and name not in self.leaving[backend]:
                continue
            if name in current:
                self.command(f"set server {backend}/{name} state ready")
                self.leaving[backend].discard(name)
            else:
                self.command(f"add server {backend}/{name} {address}")
                self.command(f"enable server {backend}/{name}")
                current[name] = address
        for name in set(current) - set(wanted):
            if name not in self.leaving[backend]:
                self.command(f"set server {backend}/{name} state maint")
                self.leaving[backend].add(name)
            # Refused while the server still has connections: tried again on the next sync.
            if "Server deleted" in self.command(f"del server {backend}/{name}"):
                del current[name]
                self.leaving[backend].discard(name)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
