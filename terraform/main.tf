# The action's bundled root: provider and backend (providers.tf, backend.tf) plus the web tier as a
# module. Any caller can use modules/web-tier the same way from its own configuration.
module "web_tier" {
  source = "./modules/web-tier"

  project                   = var.project
  environment               = var.environment
  image                     = var.image
  vpc_cidr                  = var.vpc_cidr
  az_count                  = var.az_count
  single_nat_gateway        = var.single_nat_gateway
  instance_type             = var.instance_type
  min_size                  = var.min_size
  desired_capacity          = var.desired_capacity
  max_size                  = var.max_size
  cpu_target                = var.cpu_target
  health_check_path         = var.health_check_path
  health_check_grace_period = var.health_check_grace_period
  instance_warmup           = var.instance_warmup
  deregistration_delay      = var.deregistration_delay
  certificate_arn           = var.certificate_arn
  app_domain                = var.app_domain
  app_environment           = var.app_environment
  secret_parameters         = var.secret_parameters
  log_retention_days        = var.log_retention_days
  alarm_emails              = var.alarm_emails
  release_alarm_5xx_percent = var.release_alarm_5xx_percent
  release_alarm_p95_seconds = var.release_alarm_p95_seconds
  access_logs_bucket        = var.access_logs_bucket
  deletion_protection       = var.deletion_protection
  ami_ssm_parameter         = var.ami_ssm_parameter
  django_secret_key_version = var.django_secret_key_version
  permissions_boundary_arn  = var.permissions_boundary_arn

  database                       = var.database
  database_multi_az              = var.database_multi_az
  database_engine_version        = var.database_engine_version
  database_instance_class        = var.database_instance_class
  database_allocated_storage     = var.database_allocated_storage
  database_backup_retention_days = var.database_backup_retention_days

  registry_username           = var.registry_username
  registry_pull_token         = var.registry_pull_token
  registry_pull_token_version = var.registry_pull_token_version
}
