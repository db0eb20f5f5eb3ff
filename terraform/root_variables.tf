# The action's root variables: one per variable of modules/web-tier, same name and type, default
# null so the module's own default applies (its variables are non-nullable). Validation and
# documentation live in the module (modules/web-tier/README.md); a test keeps this list in step.
# (Named root_variables.tf, not variables.tf, so the module's variables.tf keeps its history.)

variable "aws_region" {
  description = "AWS region for the provider. Null uses the environment's (AWS_REGION), as the action sets it."
  type        = string
  default     = null

  validation {
    condition     = var.aws_region == null || can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$", var.aws_region))
    error_message = "aws_region must be a region code such as eu-west-1."
  }
}

variable "project" {
  description = "Name prefix of every resource and of the app's SSM parameters."
  type        = string
  default     = null
}

variable "environment" {
  description = "Environment name: part of resource names and of the SSM parameter path."
  type        = string
  default     = null
}

variable "image" {
  description = "The app image by digest, repo@sha256:<64 hex>: instances run exactly this image. The action sets it."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC; subnets are /24s carved from it."
  type        = string
  default     = null
}

variable "az_count" {
  description = "Availability Zones to spread over; two or more keep the app up when one zone fails."
  type        = number
  default     = null
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones instead of one per zone: saves one gateway's hourly charge per extra zone, but if its zone fails the instances in the other zones lose outbound access (image pulls, SSM, CloudWatch) until it is back."
  type        = bool
  default     = null
}

variable "instance_type" {
  description = "EC2 instance type of the web instances."
  type        = string
  default     = null
}

variable "min_size" {
  description = "Fewest instances the group keeps."
  type        = number
  default     = null
}

variable "desired_capacity" {
  description = "Instances at creation; later, target tracking owns it (Terraform ignores changes to it)."
  type        = number
  default     = null
}

variable "max_size" {
  description = "Most instances scaling may reach."
  type        = number
  default     = null
}

variable "cpu_target" {
  description = "Average CPU percentage target tracking keeps the group at."
  type        = number
  default     = null
}

variable "health_check_path" {
  description = "Path the load balancer checks; the app answers it before host validation."
  type        = string
  default     = null
}

variable "health_check_grace_period" {
  description = "Seconds after launch before Auto Scaling acts on a failed ELB health check: boot, docker install and image pull."
  type        = number
  default     = null
}

variable "instance_warmup" {
  description = "Seconds a new instance needs before its metrics count for scaling and a refresh moves on."
  type        = number
  default     = null
}

variable "deregistration_delay" {
  description = "Seconds a leaving instance keeps serving in-flight requests; longer than the app's 25 s graceful shutdown is wasted."
  type        = number
  default     = null
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate in the stack's region, for HTTPS on port 443. When set, port 80 redirects to HTTPS and the app runs with DJANGO_HTTPS=true (secure cookies, HSTS); when null, the app is served over plain HTTP."
  type        = string
  default     = null
}

variable "app_domain" {
  description = "Public host name of the app, e.g. app.example.com. Sets ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and app_url; the DNS record (an alias to alb_dns_name) is yours to create, and the certificate should cover this name. Null uses the load balancer's DNS name."
  type        = string
  default     = null
}

variable "app_environment" {
  description = "Non-secret environment variables for the container. Secrets belong in SSM parameters under /<project>/<environment>/."
  type        = map(string)
  default     = null
}

variable "secret_parameters" {
  description = "Container environment variables read at boot from SecureString parameters under /<project>/<environment>/ (name -> parameter name)."
  type        = map(string)
  default     = null
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the app's and the VPC flow logs."
  type        = number
  default     = null
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic; empty creates no topic."
  type        = list(string)
  default     = null
}

variable "access_logs_bucket" {
  description = "Existing S3 bucket for ALB access logs (its policy must allow the ELB log delivery); null disables them."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion; turn off only to tear the stack down."
  type        = bool
  default     = null
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter naming the current Amazon Linux AMI; read at plan time into a concrete AMI id."
  type        = string
  default     = null
}

variable "django_secret_key_version" {
  description = "Raise it to rotate the generated Django SECRET_KEY (signs every user out)."
  type        = number
  default     = null
}

variable "permissions_boundary_arn" {
  description = "IAM policy ARN set as permissions boundary on every role the stack creates (required by the least-privilege deploy policy)."
  type        = string
  default     = null
}

variable "registry_username" {
  description = "Registry user the instances log in as before pulling a private image. The action sets it from pull-username."
  type        = string
  default     = null
}

variable "registry_pull_token" {
  description = "Read-only registry token; ephemeral (never in plan or state). The action sets TF_VAR_registry_pull_token from pull-token."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "registry_pull_token_version" {
  description = "Raise it after rotating the token, so Terraform writes the new one."
  type        = number
  default     = null
}

variable "database" {
  description = "Create the fleet's shared database (Amazon RDS for PostgreSQL); off for an app that needs none or brings its own DATABASE_URL."
  type        = bool
  default     = null
}

variable "database_multi_az" {
  description = "Keep a Multi-AZ standby of the database (off for staging)."
  type        = bool
  default     = null
}

variable "database_engine_version" {
  description = "PostgreSQL version of the database, e.g. 17 or 16.4."
  type        = string
  default     = null
}

variable "database_instance_class" {
  description = "RDS instance class of the database, e.g. db.t4g.medium."
  type        = string
  default     = null
}

variable "database_allocated_storage" {
  description = "Initial database storage in GiB (grows automatically up to five times this)."
  type        = number
  default     = null
}

variable "database_backup_retention_days" {
  description = "Days RDS keeps automated backups of the database (7 to 35)."
  type        = number
  default     = null
}

variable "release_alarm_5xx_percent" {
  description = "Release alarm: share of requests answered 5xx by the app, in percent, above which a deploy's refresh rolls back."
  type        = number
  default     = null
}

variable "release_alarm_p95_seconds" {
  description = "Release alarm: 95th percentile target response time, in seconds, above which a deploy's refresh rolls back."
  type        = number
  default     = null
}
