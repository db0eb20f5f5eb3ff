# The fleet's shared database: Amazon RDS for PostgreSQL in the private subnets, reachable only from
# the web instances, over TLS only. RDS keeps the master password in Secrets Manager and rotates it
# (manage_master_user_password), so it is in no plan, state, user data or log; the instances read
# that one secret at boot and keep re-reading it (user_data.sh.tftpl).
locals {
  database_port = 5432
  # The parameter group family follows the engine's major version: "16.4" or "16" -> postgres16.
  database_family = "postgres${split(".", var.database_engine_version)[0]}"
  # What the container needs to connect; the password file is written by the host (user data).
  database_environment = var.database ? {
    DATABASE_HOST          = aws_db_instance.main[0].address
    DATABASE_PORT          = tostring(local.database_port)
    DATABASE_NAME          = aws_db_instance.main[0].db_name
    DATABASE_USER          = aws_db_instance.main[0].username
    DATABASE_PASSWORD_FILE = "/run/database/secret.json"
  } : {}
}

resource "aws_db_subnet_group" "main" {
  count       = var.database ? 1 : 0
  name_prefix = "${local.name}-db-"
  description = "Private subnets of ${local.name}, one per zone, for the database and its Multi-AZ standby"
  subnet_ids  = aws_subnet.private[*].id
}

resource "aws_security_group" "database" {
  count       = var.database ? 1 : 0
  name_prefix = "${local.name}-db-"
  description = "Database: PostgreSQL from the web instances only"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name}-db" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "database_from_instances" {
  count                    = var.database ? 1 : 0
  type                     = "ingress"
  security_group_id        = aws_security_group.database[0].id
  description              = "PostgreSQL from the web instances"
  protocol                 = "tcp"
  from_port                = local.database_port
  to_port                  = local.database_port
  source_security_group_id = aws_security_group.instances.id
}

resource "aws_security_group_rule" "instances_to_database" {
  count                    = var.database ? 1 : 0
  type                     = "egress"
  security_group_id        = aws_security_group.instances.id
  description              = "PostgreSQL to the database"
  protocol                 = "tcp"
  from_port                = local.database_port
  to_port                  = local.database_port
  source_security_group_id = aws_security_group.database[0].id
}

resource "aws_db_parameter_group" "main" {
  count       = var.database ? 1 : 0
  name_prefix = "${local.name}-db-"
  family      = local.database_family
  description = "TLS required, slow statements logged (${local.name})"

  # The server refuses any connection without TLS.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  # Statements slower than 1 s go to the postgresql log, which is exported to CloudWatch Logs.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "main" {
  #checkov:skip=CKV_AWS_118:Enhanced monitoring needs a monitoring role and costs per instance; CloudWatch metrics, Performance Insights and the exported logs cover the template's needs.
  #checkov:skip=CKV_AWS_354:Performance Insights uses the AWS managed key; pass a CMK through a fork if policy demands one.
  count                 = var.database ? 1 : 0
  identifier_prefix     = "${local.name}-db-"
  engine                = "postgres"
  engine_version        = var.database_engine_version
  instance_class        = var.database_instance_class
  allocated_storage     = var.database_allocated_storage
  max_allocated_storage = var.database_allocated_storage * 5
  storage_type          = "gp3"
  storage_encrypted     = true
  db_name               = "app"
  username              = "app"
  # RDS creates, keeps and rotates the password in Secrets Manager: Terraform never sees it.
  manage_master_user_password = true
  port                        = local.database_port

  multi_az               = var.database_multi_az
  db_subnet_group_name   = aws_db_subnet_group.main[0].name
  vpc_security_group_ids = [aws_security_group.database[0].id]
  parameter_group_name   = aws_db_parameter_group.main[0].name
  publicly_accessible    = false
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period    = var.database_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${local.name}-db-final"
  auto_minor_version_upgrade = true
  # Major upgrades change the schema's behaviour under the app: a person decides them.
  allow_major_version_upgrade = false

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_enabled          = true
  iam_database_authentication_enabled   = true
  performance_insights_retention_period = 7

  tags = { Name = "${local.name}-db" }
}
