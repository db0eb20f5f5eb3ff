"""What RDS checks and derives for a DB instance, after its API Reference and User Guide: the
create request's checks, the master secret's format, generated passwords, rds.force_ssl."""

import json
import secrets
import string
from typing import Any

from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import DBInstance

# CreateDBInstance, MasterUserPassword: "Can include any printable ASCII character except "/", """,
# or "@"" and, for RDS for PostgreSQL, 8 to 128 characters (API Reference). Spaces are refused by
# the console; the harness refuses them too.
PASSWORD_EXCLUDED = "/\"@ "
# AWS does not document which characters the passwords RDS generates for its managed secrets hold:
# the harness draws from every character a master password may hold, so clients must quote.
PASSWORD_ALPHABET = "".join(c for c in string.printable[:94] if c not in PASSWORD_EXCLUDED)
GENERATED_PASSWORD_LENGTH = 28
POSTGRES_DEFAULT_PORT = 5432


def _check_password(password: Any) -> None:
    if not isinstance(password, str) or not 8 <= len(password) <= 128 or any(
            c in PASSWORD_EXCLUDED or not c.isprintable() or not c.isascii() for c in password):
        raise InvalidParameterValue("The parameter MasterUserPassword is not a valid password: use 8 to 128 "
                                    "printable ASCII characters other than /, \", @ and space.")


def check_create_request(kwargs: dict[str, Any]) -> None:
    """What RDS refuses before it creates anything (CreateDBInstance, API Reference)."""
    engine = kwargs.get("engine")
    if engine != "postgres":
        # AWS accepts other engines; this region runs real PostgreSQL servers only, and says so
        # rather than report an instance nothing serves.
        raise InvalidParameterValue(f"The emulated region runs DB instances of engine postgres only, not {engine!r}.")
    if kwargs.get("db_cluster_identifier"):
        raise InvalidParameterValue("The emulated region runs single DB instances (Multi-AZ instance deployments), "
                                    "not DB cluster members.")
    if not kwargs.get("master_username"):
        raise InvalidParameterValue("The parameter MasterUsername must be provided and must not be blank.")
    managed = kwargs.get("manage_master_user_password") in (True, "true")
    if managed and kwargs.get("master_user_password"):
        # "If ManageMasterUserPassword is turned on, you can't specify MasterUserPassword."
        raise InvalidParameterCombination("You can't specify MasterUserPassword when ManageMasterUserPassword is on.")
    if not managed:
        _check_password(kwargs.get("master_user_password"))


def generated_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def master_secret_string(username: str, password: str) -> str:
    # "Password management with Amazon RDS and AWS Secrets Manager" (RDS User Guide): the secret
    # RDS manages holds the master user's credentials as JSON with `username` and `password`.
    return json.dumps({"username": username, "password": password})


def current_master_password(db: DBInstance) -> str:
    if db.manage_master_user_password:
        return json.loads(db.master_user_secret.secret.secret_string)["password"]
    return db._master_user_password


def force_ssl(db: DBInstance) -> bool:
    """rds.force_ssl of the instance's DB parameter group. Unset, its default is 1 from RDS for
    PostgreSQL 15 on and 0 before ("Requiring an SSL connection to a PostgreSQL DB instance",
    RDS User Guide)."""
    group = db.db_parameter_groups()[0]
    value = group.parameters.get("rds.force_ssl", {}).get("ParameterValue")
    if value is None:
        return int(str(db.engine_version).split(".")[0]) >= 15
    return str(value) == "1"
