"""The command line: loopback only, one ready line, clean exit, managed policies loaded."""

import signal
import subprocess
import sys
from pathlib import Path

from conftest import Region

SERVER = Path(__file__).with_name("server.py")


def test_prints_one_ready_line_on_loopback_and_exits_cleanly_on_sigterm() -> None:
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", "--time-scale", "50"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    ready = server.stdout.readline()

    server.send_signal(signal.SIGTERM)

    assert server.wait(timeout=10) == 0
    assert ready.startswith("EMULATED_REGION_READY http://127.0.0.1:")
    assert server.stdout.read() == ""


def test_rejects_a_time_scale_that_cannot_run() -> None:
    result = subprocess.run(
        [sys.executable, str(SERVER), "--time-scale", "0"], capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 2
    assert "--time-scale must be greater than 0" in result.stderr


def test_aws_managed_policies_are_there_for_terraform(region: Region) -> None:
    iam = region.client("iam")

    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")

    assert policy["Policy"]["PolicyName"] == "AmazonSSMManagedInstanceCore"
