"""app/Dockerfile built and run for real, the way an EC2 host in the Auto Scaling group runs it."""

import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import (
    ALB_HEADERS,
    APP_DIR,
    free_port,
    get,
    production_settings,
    wait_until_answering,
)

pytestmark = pytest.mark.container_runtime

BUILD_ARGS = {
    "VERSION": "3.0.0-test",
    "REVISION": "4e1f0c2b9a7d",
    "CREATED": "2025-01-01T00:00:00Z",
    "SOURCE": "https://github.com/example/ha-django-deploy",
}
HOST_VARIABLES = {"INSTANCE_ID": "i-0fedcba9876543210", "AVAILABILITY_ZONE": "us-east-1c"}
APP_UID = 10001


def docker(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    """Run the docker CLI against DOCKER_HOST; a failure raises with docker's own error output."""
    result = subprocess.run(["docker", *args], input=stdin, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stderr}{result.stdout}")
    return result.stdout.strip()


def inspect(template: str, *names: str) -> str:
    return docker("inspect", "--format", template, *names)


@dataclass(frozen=True)
class Container:
    name: str
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


CONTAINER = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "web-tier" / "container.json"


def user_data_hardening() -> list[str]:
    """The hardening flags exactly as the launch template's user-data passes them to `docker run`
    (it renders them from container.json), so this test runs the image the way the instances do
    and cannot drift from the template."""
    return list(json.loads(CONTAINER.read_text())["run_flags"])


@contextmanager
def running(image: str, *options: str) -> Iterator[Container]:
    """`docker run` as the launch template's user-data does: host port -> 8000 and the instance's
    identity in the environment (on a bridge network, since the harness defaults to the host's)."""
    name = f"hadjango-test-{uuid.uuid4().hex[:12]}"
    port = free_port()
    environment = production_settings(**HOST_VARIABLES)
    env_flags = [flag for item in environment.items() for flag in ("--env", "=".join(item))]
    docker(
        "run",
        "--detach",
        f"--name={name}",
        "--network=bridge",
        f"--publish=127.0.0.1:{port}:8000",
        *options,
        *env_flags,
        image,
    )
    container = Container(name, port)
    try:
        try:
            wait_until_answering(container.url("/health/"), alive=lambda: inspect("{{.State.Running}}", name) == "true")
        except (RuntimeError, TimeoutError) as error:
            raise AssertionError(f"{error}; container log:\n{docker('logs', name)}") from error
        yield container
    finally:
        subprocess.run(["docker", "rm", "--force", name], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def image(runtime, report_image_size) -> Iterator[str]:
    tag = f"localhost/hadjango-test:{uuid.uuid4().hex[:12]}"
    build_args = [flag for name, value in BUILD_ARGS.items() for flag in ("--build-arg", f"{name}={value}")]
    # --no-cache: buildah 1.28 (the podman this harness runs) keys its layer cache for LABEL and ENV on
    # the instruction's text, not on the ARG values it expands, so an earlier build with other build
    # args would hand back its labels. BuildKit, which the action uses on GitHub, keys on the values.
    docker(
        "build",
        "--no-cache",
        "--build-arg",
        f"PYTHON_IMAGE={runtime['TEST_BASE_IMAGE']}",
        *build_args,
        "--tag",
        tag,
        str(APP_DIR),
    )
    report_image_size(f"{tag} (base {runtime['TEST_BASE_IMAGE']})", int(inspect("{{.Size}}", tag)))
    yield tag
    subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def container(image) -> Iterator[Container]:
    with running(image, *user_data_hardening()) as container:
        yield container


def test_runs_with_the_hardening_of_the_launch_template_user_data():
    assert user_data_hardening() == [
        "--read-only",
        "--tmpfs",
        "/tmp:rw,noexec,nosuid,nodev,size=64m",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
    ]


def test_the_hardened_container_is_confined(container):
    master = int(inspect("{{.State.Pid}}", container.name))

    assert inspect("{{.HostConfig.ReadonlyRootfs}}", container.name) == "true"
    # No capability in any set, and execve can never grant one (setuid binaries included).
    assert _status_field(master, "CapEff") == "0000000000000000"
    assert _status_field(master, "CapPrm") == "0000000000000000"
    assert _status_field(master, "NoNewPrivs") == "1"
    # The root filesystem refuses writes; /tmp (tmpfs) is where the app may write.
    refused = subprocess.run(
        ["docker", "exec", container.name, "sh", "-c", "touch /app/x"], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert "Read-only file system" in refused.stderr
    docker("exec", container.name, "sh", "-c", "echo ok > /tmp/probe && rm /tmp/probe")


def test_health_answers_from_outside_through_the_published_port(container):
    status, _, body = get(container.url("/health/"), {"Host": "10.0.1.23"})

    assert status == 200
    assert json.loads(body) == {"status": "ok", "version": "3.0.0-test", "commit": "4e1f0c2b9a7d"}


def test_home_shows_the_instance_and_zone_passed_to_docker_run(container):
    status, _, body = get(container.url("/"), ALB_HEADERS)

    assert status == 200
    assert b'<dd id="instance-id">i-0fedcba9876543210</dd>' in body
    assert b'<dd id="availability-zone">us-east-1c</dd>' in body


def test_a_bogus_host_is_rejected(container):
    status, _, _ = get(container.url("/"), {**ALB_HEADERS, "Host": "attacker.example.net"})

    assert status == 400


def test_static_files_were_collected_into_the_image(container):
    _, _, page = get(container.url("/"), ALB_HEADERS)
    stylesheet = page.split(b'<link rel="stylesheet" href="', 1)[1].split(b'"', 1)[0].decode()

    status, headers, _ = get(container.url(stylesheet), ALB_HEADERS)

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")


def test_gunicorn_and_its_workers_do_not_run_as_root(container):
    master = int(inspect("{{.State.Pid}}", container.name))
    workers = [pid for pid in _host_pids() if _status_field(pid, "PPid") == str(master)]

    assert inspect("{{.Config.User}}", container.name) == f"{APP_UID}:{APP_UID}"
    assert workers, "gunicorn has started its workers"
    for pid in [master, *workers]:
        real, effective, saved, filesystem = _status_field(pid, "Uid").split()
        assert {real, effective, saved, filesystem} == {str(APP_UID)}, f"pid {pid}"


def test_the_image_healthcheck_passes_in_the_running_container(container):
    # podman without systemd never schedules HEALTHCHECKs, so run the configured command directly.
    check = json.loads(inspect("{{json .Config.Healthcheck.Test}}", container.name))

    assert check[0] == "CMD"
    docker("exec", container.name, *check[1:])


def test_the_image_carries_its_oci_labels_and_version_from_build_args(image):
    labels = json.loads(inspect("{{json .Config.Labels}}", image))

    assert labels["org.opencontainers.image.version"] == BUILD_ARGS["VERSION"]
    assert labels["org.opencontainers.image.revision"] == BUILD_ARGS["REVISION"]
    assert labels["org.opencontainers.image.created"] == BUILD_ARGS["CREATED"]
    assert labels["org.opencontainers.image.source"] == BUILD_ARGS["SOURCE"]


def test_the_runtime_image_has_no_build_tools(container):
    found = docker("exec", container.name, "sh", "-c", "command -v gcc cc make pip pip3 || true")

    assert found == ""


def test_docker_stop_shuts_gunicorn_down_gracefully(image):
    with running(image, *user_data_hardening()) as container:
        docker("stop", "--time", "30", container.name)

        # 0 is gunicorn's own clean exit on SIGTERM; 137 would mean docker had to SIGKILL it.
        assert inspect("{{.State.ExitCode}}", container.name) == "0"


def test_the_image_round_trips_through_the_authenticated_registry(runtime, image, tmp_path):
    repository = f"{runtime['TEST_REGISTRY']}/hadjango-test/{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}  # keep the login out of ~/.docker
    login = ["login", runtime["TEST_REGISTRY"], "--username", runtime["TEST_REGISTRY_USER"], "--password-stdin"]

    with pytest.raises(AssertionError, match="401 Unauthorized"):
        docker(*login, stdin="not-the-password\n", env=env)
    docker(*login, stdin=f"{runtime['TEST_REGISTRY_PASSWORD']}\n", env=env)
    docker("tag", image, f"{repository}:latest", env=env)
    pushed = docker("push", f"{repository}:latest", env=env)
    digest = re.search(r"digest: (sha256:[0-9a-f]{64})", pushed)
    assert digest, pushed
    docker("image", "rm", f"{repository}:latest", env=env)
    docker("pull", f"{repository}@{digest.group(1)}", env=env)

    assert inspect("{{.Id}}", f"{repository}@{digest.group(1)}") == inspect("{{.Id}}", image)
    docker("image", "rm", f"{repository}@{digest.group(1)}", env=env)


def _host_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _status_field(pid: int, field: str) -> str | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == field:
                return value.strip()
    except FileNotFoundError:  # the process exited while we looked
        return None
    return None
