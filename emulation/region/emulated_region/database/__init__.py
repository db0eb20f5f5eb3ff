"""The emulated region's database: Amazon RDS for PostgreSQL through moto's API, each DB instance
backed by a real PostgreSQL server (postgres.py) on a loopback address, with TLS (tls.py).

A part of the harness: `Databases(harness)` then `install()` (wraps moto), `routes()` (control
API), `reset()` (with moto's reset), `describe()`, `shutdown()` (at the region's exit).

Each behaviour follows the RDS User Guide or API Reference (named in place); where AWS is silent,
the comment says so and says what the harness does instead.
"""

import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.rds.models import DBInstance
from moto.secretsmanager.exceptions import InvalidRequestException

from ..dataplane.addresses import LoopbackBlock
from ..state import Harness, Part, Routes
from . import patches
from .postgres import PostgresServer, server_owner
from .rules import POSTGRES_DEFAULT_PORT, current_master_password, force_ssl, generated_password, master_secret_string
from .tls import CertificateAuthority


def process_memory(pid: int | str, field: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS) or smaps_rollup (Pss), in bytes; 0 once gone."""
    source = "status" if field.startswith("Vm") else "smaps_rollup"
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """A process and its children (the postmaster's backends and workers are one level down)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *map(int, children)]


@dataclass
class InstanceServer:
    db: DBInstance
    endpoint: str
    server: PostgresServer
    # The password the server has now: a change of the model's is pushed to the server.
    password: str
    problem: str | None = None


class Databases(Part):
    def __init__(self, harness: Harness, workdir: Path | None = None) -> None:
        self.harness = harness
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="emulated-databases-"))
        self.workdir.chmod(0o755)  # the server's own user must reach its directory
        self.authority = CertificateAuthority(self.workdir)
        self.addresses = LoopbackBlock()
        self.launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-launcher")
        self.servers: dict[int, InstanceServer] = {}
        self.hosts_file = self.workdir / "hosts"
        self.hosts_file.write_text("")

    def find(self, db: DBInstance) -> InstanceServer | None:
        return self.servers.get(id(db))

    # -- lifecycle of one instance's server -----------------------------------------------------
    def create(self, db: DBInstance) -> None:
        """CreateDBInstance: status `creating` until the server accepts connections with the master
        user in place, then `available` ("Viewing Amazon RDS DB instance status", RDS User Guide)."""
        address = self.addresses.take()
        directory = self.workdir / db.db_instance_identifier
        if directory.exists():
            shutil.rmtree(directory)
        db.port = db.port or POSTGRES_DEFAULT_PORT
        entry = InstanceServer(db, db.address, PostgresServer(directory, address, int(db.port), self.launcher),
                               current_master_password(db))
        self.servers[id(db)] = entry
        db.status = "creating"
        self._write_hosts()
        threading.Thread(target=self._boot, args=(entry,), name=f"db-{db.db_instance_identifier}", daemon=True).start()

    def _boot(self, entry: InstanceServer) -> None:
        db, server = entry.db, entry.server
        try:
            server.directory.mkdir(parents=True)
            certificate, key = self.authority.issue(server.directory, entry.endpoint, server.address, server_owner())
            with self.harness.lock:
                ssl_only = force_ssl(db)
            server.initialise(certificate, key, ssl_only)
            server.start()
            server.create_master(db.master_username, entry.password, db.db_name)
            self._set_status(entry, "available")
        except Exception as error:  # noqa: BLE001 - the instance reports it; the state route shows why
            entry.problem = str(error)
            self._set_status(entry, "failed")

    def _set_status(self, entry: InstanceServer, status: str) -> None:
        with self.harness.lock:
            if self.servers.get(id(entry.db)) is entry:
                entry.db.status = status

    def reboot(self, db: DBInstance, failover: bool) -> None:
        """RebootDBInstance: status `rebooting`, the server restarts, sessions end. With ForceFailover
        ("Multi-AZ DB instance deployments", RDS User Guide) the primary fails over to its standby:
        connections drop, the endpoint's name stays and points at the new primary. Here the same
        server comes back on the same address, after an immediate shutdown (the old primary is gone
        without a checkpoint). AWS's 60-120 s of failover is not reproduced: the restart takes as
        long as PostgreSQL's restart takes (under a second here)."""
        entry = self.find(db)
        if entry is None:
            return
        db.status = "rebooting"

        def restart() -> None:
            try:
                entry.server.stop(immediate=failover)
                # A parameter group newly associated with the instance applies at its reboot
                # ("Associating a DB parameter group with a DB instance", RDS User Guide).
                with self.harness.lock:
                    ssl_only = force_ssl(db)
                entry.server.write_hba(ssl_only)
                entry.server.start()
                self._set_status(entry, "available")
            except Exception as error:  # noqa: BLE001 - as in _boot
                entry.problem = str(error)
                self._set_status(entry, "failed")

        threading.Thread(target=restart, name=f"db-reboot-{db.db_instance_identifier}", daemon=True).start()

    def delete(self, db: DBInstance) -> None:
        """DeleteDBInstance: the server stops and its storage goes (no final snapshot is emulated)."""
        entry = self.servers.pop(id(db), None)
        if entry is None:
            return
        self._discard(entry)
        self._write_hosts()

    def _discard(self, entry: InstanceServer) -> None:
        entry.server.close()
        self.addresses.give_back(entry.server.address)
        shutil.rmtree(entry.server.directory, ignore_errors=True)

    # -- changes to a running instance ---------------------------------------------------------
    def sync_password(self, entry: InstanceServer) -> None:
        """The server gets the model's master password when it changed (ModifyDBInstance with
        MasterUserPassword, ManageMasterUserPassword turned on or off, a rotation)."""
        wanted = current_master_password(entry.db)
        if wanted != entry.password and entry.server.running:
            entry.server.set_password(entry.db.master_username, wanted)
            entry.password = wanted

    def apply_parameters(self, group_name: str) -> None:
        """rds.force_ssl is a dynamic parameter: a change to a group applies to its instances without
        a reboot (RDS User Guide, "Requiring an SSL connection to a PostgreSQL DB instance";
        "Working with DB parameter groups"); pg_hba.conf is rewritten and reloaded."""
        for entry in self.servers.values():
            if entry.db.db_parameter_groups()[0].name == group_name and entry.server.data.exists():
                entry.server.write_hba(force_ssl(entry.db))
                entry.server.reload()

    @staticmethod
    def require_running(entry: InstanceServer) -> None:
        db = entry.db
        if db.status != "available" or not entry.server.running:
            raise InvalidRequestException(f"DB instance {db.db_instance_identifier} is {db.status}: "
                                          "its master password cannot be rotated now.")

    def rotate(self, entry: InstanceServer) -> str:
        """A new master password on the server, then as the managed secret's new AWSCURRENT version
        (the old one becomes AWSPREVIOUS). RDS rotates the secret it manages itself, with no Lambda
        function of the user's ("Password management with Amazon RDS and AWS Secrets Manager", RDS
        User Guide). Returns Secrets Manager's answer for the new version."""
        self.require_running(entry)
        db, password = entry.db, generated_password()
        entry.server.set_password(db.master_username, password)
        entry.password = password
        secret = db.master_user_secret
        return secret.secretsmanager.put_secret_value(secret.secret_arn,
                                                      master_secret_string(db.master_username, password),
                                                      None, None, ["AWSCURRENT"])

    def rotating_secret(self, secret_id: str) -> InstanceServer | None:
        for entry in self.servers.values():
            secret = getattr(entry.db, "master_user_secret", None) if entry.db.manage_master_user_password else None
            if secret is not None and secret_id in (secret.secret_arn, secret.secret.name):
                return entry
        return None

    def _write_hosts(self) -> None:
        """/etc/hosts style, "<loopback address> <endpoint>": the endpoint's DNS name resolves to its
        server the way the load balancers' names do (emulation/dns.cjs reads such files)."""
        self.hosts_file.write_text("".join(f"{e.server.address} {e.endpoint}\n" for e in self.servers.values()))

    # -- the part protocol ----------------------------------------------------------------------
    def install(self) -> None:
        patches.install(self)

    def routes(self) -> Routes:
        def rotation(body: dict[str, Any]) -> dict[str, Any]:
            """RotateSecret on the instance's master secret, for callers that know the instance."""
            identifier = body.get("dbInstanceIdentifier")
            entry = next((e for e in self.servers.values() if e.db.db_instance_identifier == identifier), None)
            if entry is None or not entry.db.manage_master_user_password:
                managed = sorted(e.db.db_instance_identifier for e in self.servers.values()
                                 if e.db.manage_master_user_password)
                raise ValueError("dbInstanceIdentifier must name a DB instance of this region whose master "
                                 f"password RDS manages in Secrets Manager; those are: {', '.join(managed) or 'none'}")
            secret = entry.db.master_user_secret
            try:
                secret.secretsmanager.rotate_secret(secret.secret_arn)
            except InvalidRequestException as error:
                raise ValueError(error.message) from error
            return self.describe()

        return {("GET", "/_harness/databases"): lambda _body: self.describe(),
                ("POST", "/_harness/database-rotation"): rotation}

    def reset(self) -> None:
        """moto's reset dropped the models: every server goes, at once."""
        entries, self.servers = list(self.servers.values()), {}
        threads = [threading.Thread(target=self._discard, args=(entry,)) for entry in entries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._write_hosts()

    def shutdown(self) -> None:
        with self.harness.lock:
            self.reset()
        self.launcher.shutdown(wait=False)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def memory(self) -> dict[str, int]:
        """Bytes now: this server's resident memory, and its PostgreSQL servers' proportional set
        size (their processes share the buffer pool: resident sizes would count it once each)."""
        pids = [e.server.process.pid for e in self.servers.values() if e.server.process and e.server.running]
        return {"server": process_memory("self", "VmRSS"),
                "databases": sum(process_memory(member, "Pss") for pid in pids for member in process_tree(pid))}

    def describe(self) -> dict[str, Any]:
        return {
            "caFile": str(self.authority.certificate_file),
            "hostsFile": str(self.hosts_file),
            "memoryBytes": self.memory(),
            "instances": {
                entry.db.db_instance_identifier: {
                    "endpoint": entry.endpoint, "address": entry.server.address, "port": entry.server.port,
                    "status": entry.db.status, "pid": entry.server.process.pid if entry.server.running else None,
                    "logFile": str(entry.server.log_file), "problem": entry.problem,
                } for entry in self.servers.values()
            },
        }
