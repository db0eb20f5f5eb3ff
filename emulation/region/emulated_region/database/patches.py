"""Where moto's RDS and Secrets Manager meet the real servers: one wrapper per API action, each
calling moto's own code and then doing what AWS does to the instance behind it."""

from typing import TYPE_CHECKING, Any

from moto.rds.exceptions import InvalidParameterCombination
from moto.rds.models import DBInstance, MasterUserSecret, RDSBackend
from moto.rds.responses import RDSResponse
from moto.secretsmanager.models import SecretsManagerBackend

from .rules import check_create_request, generated_password, master_secret_string

if TYPE_CHECKING:
    from . import Databases


def install(databases: "Databases") -> None:
    create, delete, modify = RDSBackend.create_db_instance, RDSBackend.delete_db_instance, RDSBackend.modify_db_instance
    modify_parameters, reboot = RDSBackend.modify_db_parameter_group, RDSResponse.reboot_db_instance
    rotate = SecretsManagerBackend.rotate_secret

    def secret_as_aws(secret: MasterUserSecret) -> str:
        # moto stores {"username": "admin", "password": "P@55w0rd!"} for every instance; RDS stores
        # the instance's master user name and a password it generated.
        return master_secret_string(secret.resource.master_username, generated_password())

    def create_with_server(backend: RDSBackend, kwargs: dict[str, Any]) -> DBInstance:
        check_create_request(kwargs)
        db = create(backend, kwargs)
        databases.create(db)
        return db

    def delete_with_server(backend: RDSBackend, db_instance_identifier: str, *args: Any, **kwargs: Any) -> DBInstance:
        db = delete(backend, db_instance_identifier, *args, **kwargs)
        databases.delete(db)
        return db

    def modify_with_server(backend: RDSBackend, db_instance_identifier: str, kwargs: dict[str, Any]) -> DBInstance:
        db = modify(backend, db_instance_identifier, kwargs)
        entry = databases.find(db)
        if entry is not None:
            databases.sync_password(entry)
            databases.apply_parameters()
        return db

    def modify_parameters_live(backend: RDSBackend, *args: Any, **kwargs: Any) -> Any:
        group = modify_parameters(backend, *args, **kwargs)
        databases.apply_parameters()
        return group

    def reboot_with_server(response: RDSResponse) -> Any:
        failover = str(response._get_param("ForceFailover", False)).lower() == "true"
        db = response.backend.describe_db_instances(response._get_param("DBInstanceIdentifier"))[0]
        if failover and not db.multi_az:
            # RebootDBInstance, ForceFailover: "You can't enable force failover if the instance
            # isn't configured for Multi-AZ." (API Reference)
            raise InvalidParameterCombination("ForceFailover can only be used with a Multi-AZ DB instance.")
        result = reboot(response)
        databases.reboot(db, failover)
        return result

    def rotate_on_server(backend: SecretsManagerBackend, secret_id: str, client_request_token: str | None = None,
                         rotation_lambda_arn: str | None = None, rotation_rules: dict[str, Any] | None = None,
                         rotate_immediately: bool = True) -> str:
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

    MasterUserSecret._generate_secret_string = secret_as_aws
    RDSBackend.create_db_instance = create_with_server
    RDSBackend.delete_db_instance = delete_with_server
    RDSBackend.modify_db_instance = modify_with_server
    RDSBackend.modify_db_parameter_group = modify_parameters_live
    RDSResponse.reboot_db_instance = reboot_with_server
    SecretsManagerBackend.rotate_secret = rotate_on_server
