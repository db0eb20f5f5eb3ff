"""Django's PostgreSQL backend reading its password from a file at every new connection.

RDS rotates the master password in Secrets Manager on a schedule. The container cannot fetch the
secret itself (the instance's metadata service, and so its role, is out of a container's reach at
hop limit 1), so the host keeps the secret in a file it refreshes (user_data.sh.tftpl) and mounts
read-only. Open connections outlive a password change; a new one that is refused because the file
still held the old password waits for the host's next refresh and retries once, so a rotation
slows the few requests that open a connection in that window instead of failing them.
"""

import json
import logging
import time
from pathlib import Path

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

INVALID_PASSWORD = "28P01"
POLL_SECONDS = 0.2


def read_password(path: str) -> str:
    """The password in `path`: a Secrets Manager secret string ({"password": ...}) or the bare value."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(f"DATABASE_PASSWORD_FILE {path}: cannot read it ({error.strerror})") from None
    if not text.startswith("{"):
        return text
    try:
        return json.loads(text)["password"]
    except (ValueError, KeyError, TypeError):
        raise ImproperlyConfigured(
            f"DATABASE_PASSWORD_FILE {path}: a JSON secret needs a \"password\" string, as RDS writes it"
        ) from None


def wait_for_new_password(path: str, old: str, within: float) -> str | None:
    """The file's password once it differs from `old`; None if it did not change in time."""
    deadline = time.monotonic() + within
    while True:
        current = read_password(path)
        if current != old:
            return current
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def is_authentication_failure(error: psycopg.OperationalError) -> bool:
    # A refused login carries no SQLSTATE in psycopg's exception (it fails before a session
    # exists), so the server's message is the signal; the code is checked too for servers that send it.
    return error.sqlstate == INVALID_PASSWORD or "password authentication failed" in str(error)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["password"] = read_password(self.settings_dict["PASSWORD_FILE"])
        return params

    def get_new_connection(self, conn_params: dict):
        try:
            return super().get_new_connection(conn_params)
        except psycopg.OperationalError as error:
            if not is_authentication_failure(error):
                raise
            settings = self.settings_dict
            fresh = wait_for_new_password(
                settings["PASSWORD_FILE"], conn_params["password"], settings["PASSWORD_WAIT_SECONDS"]
            )
            if fresh is None:
                raise
            logger.warning("database password rotated: reconnecting with the new one from the password file")
            return super().get_new_connection({**conn_params, "password": fresh})
