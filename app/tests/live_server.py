"""Start the app's real servers on loopback, for the HTTP tests, the container test and bench/app-load.

Standard library only, so the benchmark can import it without pytest.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

APP_DIR = Path(__file__).resolve().parent.parent
# The interpreter running the tests is the repository's .venv, where gunicorn and Django live.
PYTHON = sys.executable

PUBLIC_HOST = "app.example.com"
# What the ALB forwards for a browser on https://PUBLIC_HOST, which the HTTPS-on settings answer directly.
ALB_HEADERS = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}

# What the settings read besides the DJANGO_* variables.
APP_VARIABLES = (
    *(f"DATABASE_{name}" for name in ("URL", "HOST", "PORT", "NAME", "USER", "PASSWORD_FILE", "PASSWORD_WAIT_SECONDS")),
    *(f"DATABASE_{name}" for name in ("SSLMODE", "SSLROOTCERT", "CONNECT_TIMEOUT", "CONN_MAX_AGE")),
    "INSTANCE_ID",
    "AVAILABILITY_ZONE",
    "APP_VERSION",
    "APP_COMMIT",
)


def production_settings(**overrides: str) -> dict[str, str]:
    """The app variables a production container gets: DEBUG off, a fresh secret, HTTPS behind the ALB."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
        "DJANGO_HTTPS": "true",
        **overrides,
    }


def production_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any app variable it happens to carry, plus production_settings()."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "GUNICORN_")) and name not in APP_VARIABLES
    }
    return {**inherited, "PYTHONUNBUFFERED": "1", **production_settings(**overrides)}


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel picks it; a tiny race remains)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def collectstatic(env: Mapping[str, str]) -> None:
    """What the image build does, into the DJANGO_STATIC_ROOT that `env` names."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=APP_DIR, env=dict(env), check=True
    )


def gunicorn_command(port: int, workers: int | None = None) -> list[str]:
    command = [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    return command


def runserver_command(port: int) -> list[str]:
    return [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]


def get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects or using proxies; returns status, headers and body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_until_answering(url: str, alive: Callable[[], bool], within: float = 60) -> None:
    """Poll `url` until the server answers with any HTTP status; fail early once `alive()` is false."""
    deadline = time.monotonic() + within
    while True:
        if not alive():
            raise RuntimeError(f"the server exited before answering {url}")
        try:
            get(url, timeout=2)
            return
        except OSError as error:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {within} s") from error
            time.sleep(0.2)


@contextmanager
def serving(command: list[str], port: int, env: Mapping[str, str], output: IO) -> Iterator[None]:
    """Run a server from APP_DIR until the block ends; its stdout and stderr go to `output`.

    It is stopped as `docker stop` does: SIGTERM, then SIGKILL if it has not exited in 30 s.
    """
    process = subprocess.Popen(command, cwd=APP_DIR, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/health/", alive=lambda: process.poll() is None)
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
