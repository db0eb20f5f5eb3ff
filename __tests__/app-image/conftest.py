import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The loopback helpers the app's own server tests use.
sys.path.insert(0, str(REPO / "app"))

RUNTIME_VARIABLES = ("DOCKER_HOST", "TEST_BASE_IMAGE", "TEST_REGISTRY", "TEST_REGISTRY_USER", "TEST_REGISTRY_PASSWORD")
IMAGE_SIZES = pytest.StashKey[dict[str, int]]()


@pytest.fixture(scope="session")
def runtime() -> dict[str, str]:
    """The variables `runtime.sh env` prints. Missing ones fail the test: a skip here would hide
    that the image was never built."""
    missing = [name for name in RUNTIME_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not set: run `emulation/container-runtime/runtime.sh up` and "
            '`eval "$(emulation/container-runtime/runtime.sh env)"` first (scripts/check-app.sh does both)'
        )
    return {name: os.environ[name] for name in RUNTIME_VARIABLES}


@pytest.fixture(scope="session")
def report_image_size(request):
    sizes = request.config.stash.setdefault(IMAGE_SIZES, {})
    return sizes.__setitem__


def pytest_terminal_summary(terminalreporter, config):
    for image, size in config.stash.get(IMAGE_SIZES, {}).items():
        terminalreporter.write_line(f"image size: {image} {size / 1_000_000:.1f} MB ({size} bytes)")
