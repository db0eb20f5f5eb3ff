"""One real PostgreSQL server (Debian's package) standing in for one RDS DB instance.

It listens on the instance's loopback address only, with TLS, and authenticates with SCRAM as
RDS for PostgreSQL does. The harness administers it as `rdsadmin` (the name of RDS's own internal
superuser) through a Unix socket in the server's directory, never over TCP; the master user is an
ordinary role with CREATEDB and CREATEROLE, like RDS's master user (which is not a superuser).

Processes are started from one long-lived launcher thread with a parent-death signal, so a region
that dies (even by SIGKILL) takes its servers with it: Linux sends that signal when the thread that
forked the server exits, so that thread must live as long as the region.
"""

import ctypes
import os
import pwd
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

BIN = Path(os.environ.get("HA_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
ADMIN = "rdsadmin"
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)


def server_owner() -> tuple[int, int] | None:
    """(uid, gid) to run as: PostgreSQL refuses to run as root, so root runs it as `postgres`
    (the Debian package's user); anyone else runs it as themselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as error:
        raise RuntimeError("running as root, the emulated database needs the `postgres` user that Debian's "
                           "postgresql package creates (scripts/apt-packages.txt)") from error
    return entry.pw_uid, entry.pw_gid


def hba_rules(force_ssl: bool) -> str:
    """pg_hba.conf: the harness over the socket; clients over TCP from loopback, with TLS only when
    rds.force_ssl is 1 (a plain connection then matches no line and is refused)."""
    rules = [f"local all {ADMIN} trust", f"host all {ADMIN} all reject",
             "hostssl all all 127.0.0.0/8 scram-sha-256"]
    if not force_ssl:
        rules.append("host all all 127.0.0.0/8 scram-sha-256")
    return "\n".join(rules) + "\n"


class PostgresServer:
    def __init__(self, directory: Path, address: str, port: int, launcher: ThreadPoolExecutor) -> None:
        self.directory = directory
        self.address = address
        self.port = port
        self.launcher = launcher
        self.owner = server_owner()
        self.data = directory / "data"
        self.sockets = directory / "sockets"
        self.log_file = directory / "postgres.log"
        self.process: subprocess.Popen | None = None
        # Once closed (instance deleted, region reset), nothing may start it again: a boot still
        # running in the background would otherwise leave a server nobody stops.
        self.closed = False
        self._starting = threading.Lock()

    def _as_owner(self, path: Path) -> None:
        if self.owner is not None:
            os.chown(path, *self.owner)

    def _popen(self, argv: list[str], **options: Any) -> subprocess.Popen:
        user = {} if self.owner is None else {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}

        def spawn() -> subprocess.Popen:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=self.directory, start_new_session=True,
                                    preexec_fn=_die_with_parent, **user, **options)

        with self._starting:
            if self.closed:
                raise RuntimeError("the server was discarded while it started")
            return self.launcher.submit(spawn).result()

    def initialise(self, certificate: Path, key: Path, force_ssl: bool) -> None:
        """initdb, then the configuration: this address and port, TLS on, no statement text in the
        log, and settings for a shared machine (small buffers; no fsync: durability across a power
        loss is not emulated)."""
        for path in (self.directory, self.sockets):
            path.mkdir(mode=0o700, exist_ok=True)
            self._as_owner(path)
        with open(self.log_file, "ab") as log:
            initdb = self._popen([str(BIN / "initdb"), "--pgdata", str(self.data), "--username", ADMIN,
                                  "--auth-local", "trust", "--auth-host", "reject", "--encoding", "UTF8",
                                  "--locale", "C.UTF-8", "--no-sync"], stdout=log, stderr=subprocess.STDOUT)
            if initdb.wait() != 0:
                raise RuntimeError(f"initdb failed (exit {initdb.returncode}); see {self.log_file}")
        settings = {
            "listen_addresses": self.address, "port": self.port, "unix_socket_directories": str(self.sockets),
            "ssl": "on", "ssl_cert_file": str(certificate), "ssl_key_file": str(key),
            "ssl_min_protocol_version": "TLSv1.2", "password_encryption": "scram-sha-256",
            "shared_buffers": "16MB", "fsync": "off", "full_page_writes": "off", "max_connections": 100,
            # A failed ALTER ROLE ... PASSWORD must not leave the password in postgres.log.
            "log_min_error_statement": "panic",
        }
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# The emulated RDS instance\n")
            conf.writelines(f"{name} = '{value}'\n" for name, value in settings.items())
        self.write_hba(force_ssl)

    def write_hba(self, force_ssl: bool) -> None:
        hba = self.data / "pg_hba.conf"
        hba.write_text(hba_rules(force_ssl))
        self._as_owner(hba)

    def reload(self) -> None:
        """pg_hba.conf is re-read on SIGHUP; sessions already open keep going, as on RDS."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGHUP)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with open(self.log_file, "ab") as log:
            self.process = self._popen([str(BIN / "postgres"), "-D", str(self.data)], stdout=log,
                                       stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited {self.process.returncode} while starting; see {self.log_file}")
            try:
                with self.admin():
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not accept connections within {READY_TIMEOUT_SECONDS} s; "
                                       f"see {self.log_file}") from None
                time.sleep(0.1)

    def stop(self, immediate: bool = False) -> None:
        """Fast shutdown (SIGINT: sessions are ended, a checkpoint is written) or, for a failover,
        immediate shutdown (SIGQUIT: the server goes away as a failed primary does)."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def close(self) -> None:
        with self._starting:
            self.closed = True
        self.stop()

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.sockets), port=self.port, user=ADMIN, dbname="postgres",
                               connect_timeout=5, autocommit=True)

    def create_master(self, username: str, password: str, database: str | None) -> None:
        with self.admin() as connection:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
                sql.Identifier(username), sql.Literal(password)))
            if database:
                connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(username)))

    def set_password(self, username: str, password: str) -> None:
        with self.admin() as connection:
            connection.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(username), sql.Literal(password)))
