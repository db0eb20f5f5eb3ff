# A team's own configuration calling the web tier once per environment, on the team's provider.
# Copy this directory; point source at a release of the module instead of the relative path:
#   source = "git::https://github.com/<org>/ha-django-deploy.git//terraform/modules/web-tier?ref=v1.0.0"
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # Your state backend, e.g.:
  # backend "s3" { bucket = "acme-tfstate", key = "web/all.tfstate", region = "eu-west-1", use_lockfile = true }
}

# The caller's provider: its region, credentials and default tags apply to every resource of the module.
provider "aws" {
  region = var.region

  default_tags {
    tags = { Team = "web", CostCenter = "1234", ManagedBy = "terraform" }
  }
}

variable "region" {
  description = "Region of every environment."
  type        = string
  default     = "eu-west-1"
}

variable "images" {
  description = "Image by digest per environment (what the action or your pipeline deployed)."
  type        = map(string)
}

locals {
  environments = {
    staging = { single_nat_gateway = true, min_size = 1, max_size = 2, desired_capacity = 1, deletion_protection = false, database_multi_az = false }
    prod    = { single_nat_gateway = false, min_size = 2, max_size = 6, desired_capacity = 2, deletion_protection = true, database_multi_az = true }
  }
}

module "web" {
  source   = "../../terraform/modules/web-tier"
  for_each = local.environments

  project             = "acme-web"
  environment         = each.key
  image               = var.images[each.key]
  vpc_cidr            = each.key == "prod" ? "10.30.0.0/16" : "10.31.0.0/16"
  single_nat_gateway  = each.value.single_nat_gateway
  min_size            = each.value.min_size
  desired_capacity    = each.value.desired_capacity
  max_size            = each.value.max_size
  deletion_protection = each.value.deletion_protection
  database_multi_az   = each.value.database_multi_az
}

output "app_urls" {
  description = "URL of the app per environment."
  value       = { for name, web in module.web : name => web.app_url }
}

# The action's command: rollout can roll one environment's group after you apply here:
# asg-name = module.web["prod"].asg_name, target-group-arn = module.web["prod"].target_group_arn.
output "asg_names" {
  description = "Auto Scaling group per environment."
  value       = { for name, web in module.web : name => web.asg_name }
}
