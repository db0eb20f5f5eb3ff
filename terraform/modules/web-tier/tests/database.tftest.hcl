# The shared database: what the plan creates, who may reach it and read its secret, and what the
# instances get. AWS is the mocked provider (./mocks answers the database's address and secret ARN).
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image = "docker.io/acme/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  # See plan.tftest.hcl: terraform test 1.11 needs the ephemeral variable set for apply runs.
  registry_pull_token = "unused-without-registry_username"
}

run "creates_a_private_encrypted_multi_az_postgresql_by_default" {
  command = plan

  assert {
    condition     = length(aws_db_instance.main) == 1 && aws_db_instance.main[0].engine == "postgres" && startswith(aws_db_instance.main[0].engine_version, "17")
    error_message = "The database must be on by default: RDS for PostgreSQL 17."
  }
  assert {
    condition     = aws_db_instance.main[0].multi_az && aws_db_instance.main[0].storage_encrypted && !aws_db_instance.main[0].publicly_accessible
    error_message = "The database must be Multi-AZ, encrypted at rest and not publicly accessible."
  }
  assert {
    condition     = aws_db_instance.main[0].backup_retention_period >= 7
    error_message = "Automated backups must be kept at least 7 days."
  }
  assert {
    condition     = aws_db_instance.main[0].deletion_protection && !aws_db_instance.main[0].skip_final_snapshot && aws_db_instance.main[0].final_snapshot_identifier != null
    error_message = "Deletion protection must be on and destroying the database must take a final snapshot."
  }
}

run "lives_in_its_own_subnet_group_over_the_private_subnets" {
  command = apply

  assert {
    condition     = sort(aws_db_subnet_group.main[0].subnet_ids) == sort(aws_subnet.private[*].id)
    error_message = "The database's subnet group must be exactly the private subnets."
  }
  assert {
    condition     = aws_db_instance.main[0].db_subnet_group_name == aws_db_subnet_group.main[0].name
    error_message = "The database must use its own subnet group."
  }
}

run "accepts_5432_only_from_the_instances" {
  command = apply

  assert {
    condition     = aws_db_instance.main[0].vpc_security_group_ids == toset([aws_security_group.database[0].id])
    error_message = "The database must have its own security group and no other."
  }
  assert {
    condition = (
      aws_security_group_rule.database_from_instances[0].type == "ingress"
      && aws_security_group_rule.database_from_instances[0].security_group_id == aws_security_group.database[0].id
      && aws_security_group_rule.database_from_instances[0].source_security_group_id == aws_security_group.instances.id
      && aws_security_group_rule.database_from_instances[0].from_port == 5432
      && aws_security_group_rule.database_from_instances[0].to_port == 5432
      && aws_security_group_rule.database_from_instances[0].cidr_blocks == null
    )
    error_message = "The database may accept 5432 from the instances' security group only."
  }
  assert {
    condition     = aws_security_group_rule.instances_to_database[0].type == "egress" && aws_security_group_rule.instances_to_database[0].source_security_group_id == aws_security_group.database[0].id && aws_security_group_rule.instances_to_database[0].from_port == 5432
    error_message = "The instances must be allowed out to the database on 5432."
  }
}

run "requires_tls_through_its_parameter_group" {
  command = plan

  assert {
    condition     = one([for parameter in aws_db_parameter_group.main[0].parameter : parameter.value if parameter.name == "rds.force_ssl"]) == "1"
    error_message = "The parameter group must set rds.force_ssl = 1."
  }
  assert {
    condition     = aws_db_parameter_group.main[0].family == "postgres17"
    error_message = "The parameter group's family must follow the engine's major version."
  }
}

run "the_family_follows_a_minor_version" {
  command = plan
  variables {
    database_engine_version = "16.4"
  }

  assert {
    condition     = aws_db_parameter_group.main[0].family == "postgres16" && aws_db_instance.main[0].engine_version == "16.4"
    error_message = "A major.minor version must give that major's parameter group family."
  }
}

run "rds_manages_the_master_password" {
  command = plan

  assert {
    condition     = aws_db_instance.main[0].manage_master_user_password && aws_db_instance.main[0].password == null
    error_message = "RDS must keep the master password in Secrets Manager; Terraform must never hold one."
  }
}

run "instances_read_that_one_secret_and_get_the_connection" {
  command = apply

  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "aws secretsmanager get-secret-value --region 'eu-west-1' --secret-id 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123456789abcdef-AbCdEf'")
    error_message = "The host must read the database's master secret by its ARN."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "printf '%s=%s\\n' 'DATABASE_HOST' 'ha-django-prod-db-0123.c0ffee.eu-west-1.rds.amazonaws.com'")
    error_message = "The container must get the database's host."
  }
  assert {
    condition = alltrue([for piece in ["'DATABASE_PORT' '5432'", "'DATABASE_NAME' 'app'", "'DATABASE_USER' 'app'", "'DATABASE_PASSWORD_FILE' '/run/database/secret.json'"] :
    strcontains(base64decode(aws_launch_template.web.user_data), "printf '%s=%s\\n' ${piece}")])
    error_message = "The container must get the database's port, name, user and password file."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "--volume /etc/app/database:/run/database:ro")
    error_message = "The container must mount the refreshed secret read-only."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "systemctl enable --now app-database-secret.timer")
    error_message = "The host must keep re-reading the secret, which RDS rotates."
  }
}

run "the_role_may_read_the_database_secret_and_no_other" {
  command = plan

  # The policy document is a data source the mock answers; its statements are what the plan built.
  assert {
    condition = [for statement in data.aws_iam_policy_document.web.statement : statement.resources if statement.sid == "ReadDatabaseMasterSecret"] == [
      toset([aws_db_instance.main[0].master_user_secret[0].secret_arn])
    ]
    error_message = "The role may read the database's master secret by its ARN."
  }
  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.web.statement : alltrue([for action in statement.actions : !startswith(action, "secretsmanager:") || statement.sid == "ReadDatabaseMasterSecret"])])
    error_message = "No other statement may grant Secrets Manager actions."
  }
}

run "turned_off_creates_no_database_and_no_connection" {
  command = apply
  variables {
    database = false
  }

  assert {
    condition     = length(aws_db_instance.main) + length(aws_db_subnet_group.main) + length(aws_security_group.database) + length(aws_db_parameter_group.main) + length(aws_security_group_rule.database_from_instances) + length(aws_security_group_rule.instances_to_database) == 0
    error_message = "With database off, no RDS resource may exist."
  }
  assert {
    condition     = !strcontains(base64decode(aws_launch_template.web.user_data), "DATABASE_") && !strcontains(base64decode(aws_launch_template.web.user_data), "secretsmanager")
    error_message = "With database off, the instances get no database environment and read no secret."
  }
  assert {
    condition     = output.database_address == null && output.database_master_secret_arn == null
    error_message = "With database off, the database outputs must be null."
  }
}

run "multi_az_can_be_turned_off_for_staging" {
  command = plan
  variables {
    database_multi_az = false
  }

  assert {
    condition     = !aws_db_instance.main[0].multi_az
    error_message = "database_multi_az = false must create a single-AZ database."
  }
}
