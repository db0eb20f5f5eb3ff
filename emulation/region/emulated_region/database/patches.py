"""Where moto's RDS and Secrets Manager meet the real servers: one wrapper per API action, each
calling moto's own code and then doing what AWS does to the instance behind it."""

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.rds.exceptions import InvalidParameterCombination, RDSClientError
from moto.rds.models import DBInstance, MasterUserSecret, RDSBackend
from moto.rds.responses import RDSResponse
from moto.secretsmanager.models import SecretsManagerBackend

from .rules import check_create_request, generated_password, master_secret_string

if TYPE_CHECKING:
    from . import Databases


def replacing(owner: type, name: str) -> Callable[[Callable[..., Any]], None]:
    """Puts the decorated function in place of `owner.name`; it is called with moto's original
    first, then the original's arguments."""
    original = getattr(owner, name)

    def decorate(replacement: Callable[..., Any]) -> None:
        @functools.wraps(original)
        def replaced(*args: Any, **kwargs: Any) -> Any:
            return replacement(original, *args, **kwargs)

        setattr(owner, name, replaced)

    return decorate


def install(databases: "Databases") -> None:
    @replacing(MasterUserSecret, "_generate_secret_string")
    def secret_as_aws(_original: Callable[..., str], secret: MasterUserSecret) -> str:
        # moto stores {"username": "admin", "password": "P@55w0rd!"} for every instance; RDS stores
        # the instance's master user name and a password it generated.
        return master_secret_string(secret.resource.master_username, generated_password())

    @replacing(RDSBackend, "create_db_instance")
    def create_with_server(create: Callable[..., DBInstance], backend: RDSBackend, kwargs: dict[str, Any]) -> DBInstance:
        check_create_request(kwargs)
        db = create(backend, kwargs)
        # CreateDBInstance takes CACertificateIdentifier (API reference, "CreateDBInstance"); moto
        # drops it and reports its default. (The AWS provider still sends a ModifyDBInstance for
        # ca_cert_identifier after creating, and waits again: a minute, then three "available".)
        if kwargs.get("CACertificateIdentifier"):
            db.ca_certificate_identifier = kwargs["CACertificateIdentifier"]
        databases.create(db)
        return db

    @replacing(RDSBackend, "delete_db_instance")
    def delete_with_server(delete: Callable[..., DBInstance], *args: Any, **kwargs: Any) -> DBInstance:
        db = delete(*args, **kwargs)
        databases.delete(db)
        return db

    @replacing(RDSBackend, "modify_db_instance")
    def modify_with_server(modify: Callable[..., DBInstance], *args: Any, **kwargs: Any) -> DBInstance:
        db = modify(*args, **kwargs)
        entry = databases.find(db)
        if entry is not None:
            databases.sync_password(entry)
        return db

    @replacing(RDSBackend, "modify_db_parameter_group")
    def modify_parameters_live(modify: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        group = modify(*args, **kwargs)
        databases.apply_parameters(group.name)
        return group

    @replacing(RDSResponse, "reboot_db_instance")
    def reboot_with_server(reboot: Callable[..., Any], response: RDSResponse) -> Any:
        failover = str(response._get_param("ForceFailover", False)).lower() == "true"
        db = response.backend.describe_db_instances(response._get_param("DBInstanceIdentifier"))[0]
        if failover and not db.multi_az:
            # RebootDBInstance, ForceFailover: "You can't enable force failover if the instance
            # isn't configured for Multi-AZ." (API Reference)
            raise InvalidParameterCombination("ForceFailover can only be used with a Multi-AZ DB instance.")
        if db.status != "available":
            # RebootDBInstance: "The DB instance must be in the available state" (API Reference,
            # InvalidDBInstanceState).
            raise RDSClientError("InvalidDBInstanceState",
                                 f"DB instance {db.db_instance_identifier} is {db.status}, not available.")
        result = reboot(response)
        databases.reboot(db, failover)
        return result

    @replacing(SecretsManagerBackend, "rotate_secret")
    def rotate_on_server(rotate: Callable[..., str], backend: SecretsManagerBackend, secret_id: str,
                         client_request_token: str | None = None, rotation_lambda_arn: str | None = None,
                         rotation_rules: dict[str, Any] | None = None, rotate_immediately: bool = True) -> str:
        entry = databases.rotating_secret(secret_id)
        if entry is None:
            return rotate(backend, secret_id, client_request_token, rotation_lambda_arn, rotation_rules,
                          rotate_immediately)
        # RDS rotates its managed secret itself (no Lambda function): the new password is set on
        # the instance, then becomes the secret's AWSCURRENT version. moto's own rotation, asked
        # not to rotate immediately and without a function, only records the rotation rules.
        databases.require_running(entry)
        rotate(backend, secret_id, client_request_token, None, rotation_rules, False)
        return databases.rotate(entry)
