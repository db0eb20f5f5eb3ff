"""A throwaway PostgreSQL 15 server on 127.0.0.1 for the database tests: Debian's binaries, TLS
required for TCP connections (as RDS's rds.force_ssl=1 does), password logins (scram-sha-256).

Standard library only. Runs as the `postgres` system user when the tests run as root (initdb
refuses root).
"""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port

BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass(frozen=True)
class PostgresServer:
    port: int
    socket_dir: Path
    certificate: Path
    host: str = "127.0.0.1"

    def psql(self, database: str) -> list[str]:
        """psql as the superuser over the Unix socket, unaligned, stopping at the first error."""
        connection = ["-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres", "-d", database]
        return [str(BIN / "psql"), *connection, "-v", "ON_ERROR_STOP=1", "-At"]

    def admin(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser; returns psql's output."""
        command = self.psql(database) + ["-c", sql]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def session(self, database: str) -> "Session":
        return Session(subprocess.Popen(self.psql(database), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))


@dataclass(frozen=True)
class Session:
    """A superuser session kept open across statements, e.g. to hold a lock while a test runs."""

    process: subprocess.Popen

    def run(self, sql: str) -> None:
        """Run SQL and return once psql has finished it."""
        self.process.stdin.write(f"{sql};\n\\echo done\n")
        self.process.stdin.flush()
        while (line := self.process.stdout.readline()) and line.strip() != "done":
            pass
        if not line:
            raise RuntimeError(f"psql exited while running {sql!r}")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)
        self.process.stdout.close()


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "server.crt", directory / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return certificate, key


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="hadjango-postgres-"))
    data = root / "data"
    as_user = _as_postgres_user()
    try:
        certificate, key = _self_signed_certificate(root)
        password_file = root / "superuser-password"
        password_file.write_text(secrets.token_urlsafe(24))
        if as_user:
            shutil.chown(root, "postgres", "postgres")
            for path in (certificate, key, password_file):
                shutil.chown(path, "postgres", "postgres")
        subprocess.run(
            as_user + [BIN / "initdb", "-D", str(data), "-U", "postgres", "--auth-local=trust"]
            + ["--auth-host=scram-sha-256", f"--pwfile={password_file}", "--no-sync"],
            check=True,
            capture_output=True,
        )
        # Over TCP only TLS with a password: a client that skips TLS is refused, as by RDS.
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n"
        )
        server = PostgresServer(port=free_port(), socket_dir=root, certificate=certificate)
        settings = (
            f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={root} "
            f"-c ssl=on -c ssl_cert_file={certificate} -c ssl_key_file={key} -c fsync=off"
        )
        subprocess.run(
            as_user + [BIN / "pg_ctl", "start", "-D", str(data), "-w", "-l", str(root / "server.log"), "-o", settings],
            check=True,
            capture_output=True,
        )
        try:
            yield server
        finally:
            subprocess.run(as_user + [BIN / "pg_ctl", "stop", "-D", str(data), "-m", "immediate"], capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server: PostgresServer, directory: Path) -> dict[str, str]:
    """A database owned by a new login role (allowed to create the test database pytest-django
    needs); returns the app's environment for it, the password in a file in `directory`."""
    name = f"hadjango_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(24)
    server.admin(f"CREATE ROLE {name} LOGIN CREATEDB PASSWORD '{password}'")
    server.admin(f"CREATE DATABASE {name} OWNER {name}")
    password_file = directory / "database-password"
    write_secret(password_file, name, password)
    return {
        "DATABASE_HOST": server.host,
        "DATABASE_PORT": str(server.port),
        "DATABASE_NAME": name,
        "DATABASE_USER": name,
        "DATABASE_PASSWORD_FILE": str(password_file),
        "DATABASE_SSLROOTCERT": str(server.certificate),
    }


def write_secret(path: Path, username: str, password: str) -> None:
    """As the host does: the Secrets Manager secret string, replaced atomically (never half-written)."""
    scratch = path.with_suffix(".new")
    scratch.write_text(json.dumps({"username": username, "password": password}))
    scratch.replace(path)
