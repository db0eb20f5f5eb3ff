"""The emulated region's database (emulated_region/database): RDS for PostgreSQL through boto3,
each DB instance a real PostgreSQL server on a loopback address, reached over TLS with the master
secret's password."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from botocore.exceptions import ClientError

from conftest import Region

MASTER = "app_admin"


def start_server() -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("server.py")), "--port", "0", "--database"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    ready = server.stdout.readline().split()
    assert ready[:1] == ["EMULATED_REGION_READY"], f"server did not start: {ready}"
    return server, ready[1]


def stop_server(server: subprocess.Popen) -> None:
    assert server.stdin is not None
    server.stdin.close()
    assert server.wait(timeout=60) == 0


@pytest.fixture(scope="module")
def database_endpoint() -> Iterator[str]:
    server, endpoint = start_server()
    yield endpoint
    stop_server(server)


class Databases(Region):
    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint)
        self.rds = self.client("rds")
        self.secrets = self.client("secretsmanager")

    def state(self) -> dict[str, Any]:
        return self.control("/_harness/databases")

    def create(self, identifier: str, **options: Any) -> dict[str, Any]:
        request = {"DBInstanceIdentifier": identifier, "Engine": "postgres", "EngineVersion": "15.7",
                   "DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20, "MasterUsername": MASTER,
                   "DBName": "app", "MultiAZ": True, "ManageMasterUserPassword": True, **options}
        self.rds.create_db_instance(**request)
        return self.wait_available(identifier)

    def describe(self, identifier: str) -> dict[str, Any]:
        return self.rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]

    def wait_available(self, identifier: str) -> dict[str, Any]:
        statuses = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            instance = self.describe(identifier)
            statuses.append(instance["DBInstanceStatus"])
            if statuses[-1] == "available":
                return instance
            assert statuses[-1] != "failed", self.state()["instances"][identifier]
            time.sleep(0.1)
        raise AssertionError(f"{identifier} not available within 90 s: {statuses[-5:]}")

    def secret(self, instance: dict[str, Any], stage: str = "AWSCURRENT") -> dict[str, str]:
        value = self.secrets.get_secret_value(SecretId=instance["MasterUserSecret"]["SecretArn"], VersionStage=stage)
        return json.loads(value["SecretString"])

    def address_of(self, endpoint_name: str) -> str:
        """The endpoint's name resolved as a client of the region resolves it: the hosts file."""
        for line in Path(self.state()["hostsFile"]).read_text().splitlines():
            address, name = line.split()
            if name == endpoint_name:
                return address
        raise AssertionError(f"{endpoint_name} is not in the region's hosts file")

    def connect(self, instance: dict[str, Any], password: str, sslmode: str = "verify-full") -> psycopg.Connection:
        endpoint = instance["Endpoint"]
        return psycopg.connect(host=endpoint["Address"], hostaddr=self.address_of(endpoint["Address"]),
                               port=endpoint["Port"], user=MASTER, password=password, dbname="app",
                               sslmode=sslmode, sslrootcert=self.state()["caFile"], connect_timeout=5)


@pytest.fixture
def databases(database_endpoint: str) -> Databases:
    databases = Databases(database_endpoint)
    databases.control("/moto-api/reset", {})
    return databases


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose that matters here.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_an_instance_is_a_postgres_server_reached_over_tls_with_the_managed_secrets_password(databases: Databases) -> None:
    instance = databases.create("orders")
    credentials = databases.secret(instance)
    assert credentials["username"] == MASTER
    assert credentials["password"] != "P@55w0rd!"  # moto's fixed password is not what RDS stores
    address = databases.address_of(instance["Endpoint"]["Address"])
    assert address.startswith("127.") and address != "127.0.0.1"
    with databases.connect(instance, credentials["password"]) as connection:
        ssl, user, version = connection.execute(
            "SELECT ssl, current_user, current_setting('server_version_num') FROM pg_stat_ssl"
            " WHERE pid = pg_backend_pid()").fetchone()
        assert (ssl, user) == (True, MASTER) and version.startswith("15")
        connection.execute("CREATE TABLE page (id serial PRIMARY KEY, body text)")
        connection.execute("INSERT INTO page (body) VALUES ('written')")
        connection.commit()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        databases.connect(instance, credentials["password"] + "x")


def test_an_endpoint_longer_than_a_certificates_common_name_is_served_and_verified(databases: Databases) -> None:
    # Terraform's identifier_prefix makes identifiers of 40 characters, endpoints of 78: more than
    # X.509 allows in a common name (64). verify-full matches the subject alternative name.
    instance = databases.create("demo-test-db-20261206054303470700000010", CACertificateIdentifier="rds-ca-rsa2048-g1")
    assert len(instance["Endpoint"]["Address"]) > 64
    # The CA asked for at creation is the instance's (moto reports its default otherwise).
    assert instance["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
    with databases.connect(instance, databases.secret(instance)["password"]) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_creation_is_refused_before_anything_runs_for_what_rds_or_the_emulation_cannot_take(databases: Databases) -> None:
    for options, error in [({"Engine": "mysql"}, "engine postgres only"),
                           ({"ManageMasterUserPassword": False}, "MasterUserPassword"),
                           ({"ManageMasterUserPassword": False, "MasterUserPassword": "has@sign1"}, "MasterUserPassword"),
                           ({"MasterUserPassword": "long-enough-1"}, "ManageMasterUserPassword")]:
        with pytest.raises(ClientError, match=error):
            databases.rds.create_db_instance(**{
                "DBInstanceIdentifier": "refused", "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
                "MasterUsername": MASTER, "ManageMasterUserPassword": True, **options})
    assert databases.rds.describe_db_instances()["DBInstances"] == []
    assert databases.state()["instances"] == {}


def test_force_ssl_refuses_a_plain_connection_and_the_parameter_group_can_allow_it(databases: Databases) -> None:
    instance = databases.create("strict")
    password = databases.secret(instance)["password"]
    with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry.*no encryption"):
        databases.connect(instance, password, sslmode="disable")

    databases.rds.create_db_parameter_group(DBParameterGroupName="lenient", DBParameterGroupFamily="postgres15",
                                            Description="plain connections allowed")
    databases.rds.modify_db_parameter_group(DBParameterGroupName="lenient", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    lenient = databases.create("lenient", DBParameterGroupName="lenient")
    with databases.connect(lenient, databases.secret(lenient)["password"], sslmode="disable") as connection:
        assert connection.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone() == (False,)

    # A dynamic parameter: turning it back on applies without a reboot.
    databases.rds.modify_db_parameter_group(DBParameterGroupName="lenient", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        databases.connect(lenient, databases.secret(lenient)["password"], sslmode="disable")

    # A group newly associated with an instance applies at its next reboot.
    databases.rds.modify_db_parameter_group(DBParameterGroupName="lenient", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    databases.rds.modify_db_instance(DBInstanceIdentifier="strict", DBParameterGroupName="lenient",
                                     ApplyImmediately=True)
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        databases.connect(instance, password, sslmode="disable")
    databases.rds.reboot_db_instance(DBInstanceIdentifier="strict")
    time.sleep(0.05)
    databases.wait_available("strict")
    with databases.connect(instance, password, sslmode="disable"):
        pass


def test_a_multi_az_failover_drops_live_connections_and_the_same_endpoint_serves_again(databases: Databases) -> None:
    instance = databases.create("failover")
    password = databases.secret(instance)["password"]
    before = databases.state()["instances"]["failover"]
    live = databases.connect(instance, password)
    live.execute("CREATE TABLE kept (n int)")
    live.execute("INSERT INTO kept VALUES (1)")
    live.commit()

    rebooting = databases.rds.reboot_db_instance(DBInstanceIdentifier="failover", ForceFailover=True)["DBInstance"]
    assert rebooting["DBInstanceStatus"] == "rebooting"
    after = databases.wait_available("failover")
    with pytest.raises(psycopg.OperationalError):
        live.execute("SELECT 1")
    live.close()

    state = databases.state()["instances"]["failover"]
    assert state["pid"] != before["pid"] and state["address"] == before["address"]
    assert after["Endpoint"] == instance["Endpoint"]
    with databases.connect(after, password) as connection:
        assert connection.execute("SELECT n FROM kept").fetchall() == [(1,)]


def test_reboots_are_refused_while_creating_and_failover_for_a_single_az_instance(databases: Databases) -> None:
    databases.rds.create_db_instance(DBInstanceIdentifier="single", Engine="postgres", DBInstanceClass="db.t3.micro",
                                     MasterUsername=MASTER, ManageMasterUserPassword=True)
    # initdb alone takes over a second: the instance is still `creating`.
    with pytest.raises(ClientError, match="InvalidDBInstanceState"):
        databases.rds.reboot_db_instance(DBInstanceIdentifier="single")
    databases.wait_available("single")
    with pytest.raises(ClientError, match="Multi-AZ"):
        databases.rds.reboot_db_instance(DBInstanceIdentifier="single", ForceFailover=True)
    databases.rds.reboot_db_instance(DBInstanceIdentifier="single")
    databases.wait_available("single")


def test_rotating_the_master_secret_changes_the_password_on_the_server(databases: Databases) -> None:
    instance = databases.create("rotated")
    old = databases.secret(instance)["password"]
    databases.secrets.rotate_secret(SecretId=instance["MasterUserSecret"]["SecretArn"])
    new = databases.secret(instance)["password"]
    assert new != old and databases.secret(instance, "AWSPREVIOUS")["password"] == old
    with databases.connect(instance, new) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (MASTER,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        databases.connect(instance, old)

    # The harness route does the same by instance name.
    databases.control("/_harness/database-rotation", {"dbInstanceIdentifier": "rotated"})
    newest = databases.secret(instance)["password"]
    assert newest != new
    with databases.connect(instance, newest):
        pass


def test_modifying_an_unmanaged_master_password_changes_it_on_the_server(databases: Databases) -> None:
    databases.create("unmanaged", ManageMasterUserPassword=False, MasterUserPassword="first-pass-1")
    # Quotes, a backslash and URL characters: what a generated password may hold too.
    second = "it's\\%#?-2"
    databases.rds.modify_db_instance(DBInstanceIdentifier="unmanaged", MasterUserPassword=second,
                                     ApplyImmediately=True)
    instance = databases.describe("unmanaged")
    with databases.connect(instance, second):
        pass
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        databases.connect(instance, "first-pass-1")


def test_deleting_an_instance_stops_its_server_and_removes_its_secret(databases: Databases) -> None:
    instance = databases.create("deleted")
    pid = databases.state()["instances"]["deleted"]["pid"]
    address = databases.address_of(instance["Endpoint"]["Address"])
    databases.rds.delete_db_instance(DBInstanceIdentifier="deleted", SkipFinalSnapshot=True)
    assert not is_running(pid)
    assert databases.state()["instances"] == {}
    assert address not in Path(databases.state()["hostsFile"]).read_text()
    with pytest.raises(ClientError, match="ResourceNotFound"):
        databases.secrets.get_secret_value(SecretId=instance["MasterUserSecret"]["SecretArn"])


def test_a_reset_stops_every_server(databases: Databases) -> None:
    databases.create("first")
    databases.create("second", ManageMasterUserPassword=False, MasterUserPassword="second-pass-2")
    pids = [entry["pid"] for entry in databases.state()["instances"].values()]
    databases.control("/moto-api/reset", {})
    assert databases.state()["instances"] == {}
    assert not any(is_running(pid) for pid in pids)


@pytest.mark.parametrize("ending", ["stdin closes", "SIGKILL"])
def test_the_regions_end_leaves_no_postgres_process(ending: str) -> None:
    server, endpoint = start_server()
    databases = Databases(endpoint)
    databases.create("left")
    state = databases.state()
    pid = state["instances"]["left"]["pid"]
    if ending == "SIGKILL":
        # The servers die with the region: they were started with a parent-death signal.
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        # A killed region cannot remove its files: the test does.
        shutil.rmtree(Path(state["caFile"]).parent)
    else:
        stop_server(server)
    assert not is_running(pid)
