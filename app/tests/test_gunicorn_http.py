"""gunicorn with the production settings and gunicorn.conf.py, over real sockets on 127.0.0.1."""

import http.client
import json
import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import (
    ALB_HEADERS,
    APP_DIR,
    PUBLIC_HOST,
    collectstatic,
    free_port,
    get,
    gunicorn_command,
    production_env,
    serving,
)

INSTANCE = {
    "INSTANCE_ID": "i-0123456789abcdef0",
    "AVAILABILITY_ZONE": "eu-west-1b",
    "APP_VERSION": "2.1.0",
    "APP_COMMIT": "9c1e5d2",
}


@dataclass(frozen=True)
class Server:
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("gunicorn")
    environment = production_env(DJANGO_STATIC_ROOT=str(scratch / "static"), **INSTANCE)
    collectstatic(environment)
    port = free_port()
    log = scratch / "gunicorn.log"
    with log.open("w") as output, serving(gunicorn_command(port, workers=2), port, environment, output):
        yield Server(port, log)


def test_health_answers_a_private_ip_host_like_the_alb_checker(server):
    status, headers, body = get(server.url("/health/"), {"Host": "10.0.1.23"})

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "ok", "version": "2.1.0", "commit": "9c1e5d2"}


def test_home_shows_instance_and_zone_over_https_from_the_alb(server):
    status, headers, body = get(server.url("/"), ALB_HEADERS)

    assert status == 200
    assert b'<dd id="instance-id">i-0123456789abcdef0</dd>' in body
    assert b'<dd id="availability-zone">eu-west-1b</dd>' in body
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_from_the_alb_is_redirected_to_https(server):
    status, headers, _ = get(server.url("/"), {**ALB_HEADERS, "X-Forwarded-Proto": "http"})

    assert status == 301
    assert headers["Location"] == f"https://{PUBLIC_HOST}/"


def test_a_bogus_host_is_rejected(server):
    status, _, _ = get(server.url("/"), {**ALB_HEADERS, "Host": "attacker.example.net"})

    assert status == 400


def test_whitenoise_serves_hashed_compressed_static_files_for_a_year(server):
    _, _, page = get(server.url("/"), ALB_HEADERS)
    stylesheet = re.search(rb'href="(/static/web/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the home page links a content-hashed stylesheet"

    status, headers, _ = get(server.url(stylesheet.group(1).decode()), {**ALB_HEADERS, "Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_connections_are_kept_alive_for_reuse_by_the_alb(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", "/health/", headers={"Host": "10.0.1.23"})
        first = connection.getresponse()
        first.read()
        socket_after_first = connection.sock

        connection.request("GET", "/health/", headers={"Host": "10.0.1.23"})
        second = connection.getresponse()
        second.read()

        assert (first.status, second.status) == (200, 200)
        assert socket_after_first is not None, "gunicorn closed the connection after the first response"
        assert connection.sock is socket_after_first
    finally:
        connection.close()


def test_access_log_lines_are_json_with_the_request_fields(server):
    marker = uuid.uuid4().hex
    get(server.url(f"/health/?probe={marker}"), {"Host": "10.0.1.23", "X-Amzn-Trace-Id": f"Root=1-{marker}"})

    entry = _wait_for_log_entry(server.log, lambda entry: entry.get("http", {}).get("query") == f"probe={marker}")

    assert entry["logger"] == "gunicorn.access"
    assert entry["message"] == "request"
    assert entry["http"]["method"] == "GET"
    assert entry["http"]["path"] == "/health/"
    assert entry["http"]["status"] == 200
    assert entry["http"]["host"] == "10.0.1.23"
    assert entry["http"]["trace_id"] == f"Root=1-{marker}"


def test_everything_the_server_logs_is_one_json_object_per_line(server):
    lines = server.log.read_text().splitlines()

    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line


def test_gunicorn_refuses_to_start_without_a_secret_key_in_one_line():
    environment = production_env()
    del environment["DJANGO_SECRET_KEY"]

    result = subprocess.run(
        gunicorn_command(free_port()), cwd=APP_DIR, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        result.stderr.strip().splitlines()[-1].startswith("hadjango: configuration error: DJANGO_SECRET_KEY is not set")
    )


def _wait_for_log_entry(log: Path, matches, within: float = 10) -> dict:
    """Lines reach the file as workers flush them; poll briefly rather than race the write."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            if matches(entry):
                return entry
        time.sleep(0.1)
    raise AssertionError(f"no matching JSON entry in {log}:\n{log.read_text()}")
