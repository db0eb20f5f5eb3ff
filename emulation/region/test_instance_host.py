"""An emulated instance's host (dataplane/, instance_hosts.py, run_command.py) with a database in the
region (server.py --data-plane --database): AWS-RunShellScript runs on the host as root, where the
user-data's /etc and docker are; the containers reach the database through the relay in their
network namespace (dataplane/relay.py); the secret volume and the refresh timer work as on EC2.

The database is the region's real PostgreSQL server; "reaching" it is PostgreSQL's own answer to
an SSLRequest ('S': the server will talk TLS), sent from inside a container to the RDS endpoint's
DNS name, through the same relay the app's psycopg connections take. Needs the machine's container
runtime (emulation/container-runtime/runtime.sh up).
"""

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import AMI, REGION, Region
from test_data_plane import runtime_env

TIME_SCALE = 5
# From inside a container: the endpoint's address (its hosts file), then PostgreSQL's answer to an
# SSLRequest (Int32 8, Int32 80877103) at that address; and the secret file the host refreshes.
PROBE = (
    "import json,socket,struct,sys\n"
    "host=sys.argv[1]\n"
    "s=socket.create_connection((host,5432),timeout=10)\n"
    "s.sendall(struct.pack('!ii',8,80877103))\n"
    "print('address',socket.gethostbyname(host),'answer',s.recv(1).decode())\n"
    "print('secret user',json.load(open('/run/database/secret.json'))['username'])\n"
)


def user_data(image: str, secret_arn: str, endpoint: str) -> str:
    """The bundled user-data's database part in small: the secret into a directory the container
    mounts, a 2 s refresh timer, and a long-running container that probes at start."""
    script = f"""#!/bin/bash
set -euo pipefail
install -d -m 700 /etc/app
install -d -m 750 -o root -g 10001 /etc/app/database
cat > /etc/app/refresh-database-secret <<'SCRIPT'
#!/bin/bash
set -euo pipefail
umask 027
aws secretsmanager get-secret-value --region {REGION} --secret-id '{secret_arn}' \\
  --query SecretString --output text > /etc/app/database/secret.json.new
mv -f /etc/app/database/secret.json.new /etc/app/database/secret.json
SCRIPT
chmod 700 /etc/app/refresh-database-secret
/etc/app/refresh-database-secret
printf '[Service]\\nType=oneshot\\nExecStart=/etc/app/refresh-database-secret\\n' > /etc/systemd/system/refresh.service
printf '[Timer]\\nOnBootSec=0\\nOnUnitActiveSec=2s\\n' > /etc/systemd/system/refresh.timer
systemctl daemon-reload
systemctl enable --now refresh.timer
printf '%s\\n' --read-only --volume /etc/app/database:/run/database:ro > /etc/app/container-options
echo booted > /etc/app/marker
mapfile -t options < /etc/app/container-options
docker run --detach --name app --restart always "${{options[@]}}" '{image}' \\
  sh -c 'python3 -c "$0" "$1" && exec sleep 600' "$(cat <<'PROBE'
{PROBE}PROBE
)" '{endpoint}'
"""
    return base64.b64encode(script.encode()).decode()


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Region, str, int]]:
    env = runtime_env()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("server.py")), "--port", "0", "--time-scale",
         str(TIME_SCALE), "--data-plane", "--database"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, **env},
    )
    assert server.stdout is not None and server.stdin is not None
    ready = server.stdout.readline().split()
    assert ready[:1] == ["EMULATED_REGION_READY"], f"server did not start: {ready}"
    yield Region(ready[1]), env["TEST_BASE_IMAGE"], server.pid
    server.stdin.close()
    assert server.wait(timeout=60) == 0


def run_command(region: Region, instance_id: str, script: str, timeout: float = 120) -> dict:
    ssm = region.client("ssm")
    command_id = ssm.send_command(InstanceIds=[instance_id], DocumentName="AWS-RunShellScript",
                                  Parameters={"commands": [script]})["Command"]["CommandId"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        if found["Status"] in ("Success", "Failed", "TimedOut", "Cancelled"):
            return found
        time.sleep(0.2)
    raise AssertionError(f"command {command_id} still running after {timeout} s")


def test_run_command_runs_on_the_host_and_containers_reach_the_database(live: tuple[Region, str, int]) -> None:
    region, image, server_pid = live
    region.control("/moto-api/reset", {})
    rds = region.client("rds")
    database = rds.create_db_instance(
        DBInstanceIdentifier="app", Engine="postgres", EngineVersion="15.7", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="app_admin", DBName="app", ManageMasterUserPassword=True,
        MultiAZ=True)["DBInstance"]
    region.wait_until(lambda: rds.describe_db_instances(DBInstanceIdentifier="app")["DBInstances"][0]
                      ["DBInstanceStatus"] == "available", timeout=90)
    described = rds.describe_db_instances(DBInstanceIdentifier="app")["DBInstances"][0]
    endpoint, secret_arn = described["Endpoint"]["Address"], database["MasterUserSecret"]["SecretArn"]
    ec2 = region.ec2
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]
    template = ec2.create_launch_template(LaunchTemplateName="db-host", LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.small", "UserData": user_data(image, secret_arn, endpoint)})
    region.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="db-host", MinSize=1, DesiredCapacity=1, MaxSize=1,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"], "Version": "1"},
        VPCZoneIdentifier=subnet["SubnetId"])
    instance_id = region.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["db-host"])[
        "AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
    instance = lambda: region.control("/_harness/state")["dataPlane"]["instances"][instance_id]  # noqa: E731
    region.wait_until(lambda: instance()["bootExitCode"] is not None, timeout=120)
    assert instance()["bootExitCode"] == 0, (Path(instance()["directory"]) / "boot.log").read_text()
    server_address = region.control("/_harness/databases")["instances"]["app"]["address"]

    # The app container, started by the boot: the endpoint resolves to the server's address, and
    # PostgreSQL answers through the relay; the secret volume is the host's refreshed file.
    def log() -> str:
        logs = subprocess.run(["docker", "logs", instance()["containerName"]], capture_output=True, text=True)
        return logs.stdout + logs.stderr

    region.wait_until(lambda: "secret user" in log() or "Error" in log(), timeout=60)
    assert f"address {server_address} answer S" in log(), log()
    assert "secret user app_admin" in log(), log()

    # Run Command: on the host (the user-data's /etc, not the container's), as root, with its docker;
    # a one-off container started there reaches the database too.
    result = run_command(region, instance_id, "\n".join([
        "cat /etc/app/marker", "id -u",
        "mapfile -t options < /etc/app/container-options 2>/dev/null || true",
        f"docker run --rm --read-only --volume /etc/app/database:/run/database:ro '{image}' "
        f"python3 -c \"$(printf '%s' '{base64.b64encode(PROBE.encode()).decode()}' | base64 -d)\" '{endpoint}'",
        "echo one-off exited $?",
    ]))
    assert result["Status"] == "Success", result
    lines = result["StandardOutputContent"].splitlines()
    assert lines[:2] == ["booted", "0"], result
    assert f"address {server_address} answer S" in lines, result
    assert "one-off exited 0" in lines, result

    # A rotation reaches the host's file within the timer's period, without a redeploy.
    before = json.loads(run_command(region, instance_id, "cat /etc/app/database/secret.json")["StandardOutputContent"])
    region.control("/_harness/database-rotation", {"dbInstanceIdentifier": "app"})

    def rotated() -> bool:
        now = run_command(region, instance_id, "cat /etc/app/database/secret.json")["StandardOutputContent"]
        return bool(now.strip()) and json.loads(now)["password"] != before["password"]

    region.wait_until(rotated, timeout=60)

    # Stopping the instance ends its host: no timer, no namespace holder is left.
    region.autoscaling.update_auto_scaling_group(AutoScalingGroupName="db-host", MinSize=0, DesiredCapacity=0)
    region.wait_until(lambda: instance()["stopped"], timeout=120)
    for pattern in (instance()["directory"], f"tail -f /dev/null --pid {server_pid}"):
        leftovers = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True).stdout
        assert leftovers == "", leftovers
