variable "project" {
  description = "Name prefix of every resource and of the app's SSM parameters."
  type        = string
  default     = "ha-django"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}[a-z0-9]$", var.project))
    error_message = "project must be 3-22 lowercase letters, digits and hyphens, starting with a letter (it prefixes names AWS limits to 32 characters)."
  }
}

variable "environment" {
  description = "Environment name: part of resource names and of the SSM parameter path."
  type        = string
  default     = "prod"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,7}$", var.environment))
    error_message = "environment must be 1-8 lowercase letters and digits, starting with a letter."
  }
}

variable "image" {
  description = "The app image by digest, repo@sha256:<64 hex>: instances run exactly this image. The action sets it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._:/-]*@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must name the image by digest, e.g. docker.io/acme/web@sha256:<64 hex>: a tag can move under a running group."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC; subnets are /24s carved from it."
  type        = string
  default     = "10.20.0.0/16"
  nullable    = false

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block of /20 or larger, e.g. 10.20.0.0/16."
  }
}

variable "az_count" {
  description = "Availability Zones to spread over; two or more keep the app up when one zone fails."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 2 to 6: one zone is not highly available."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones instead of one per zone: saves one gateway's hourly charge per extra zone, but if its zone fails the instances in the other zones lose outbound access (image pulls, SSM, CloudWatch) until it is back."
  type        = bool
  default     = false
  nullable    = false
}

variable "instance_type" {
  description = "EC2 instance type of the web instances."
  type        = string
  default     = "t3.small"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.small."
  }
}

variable "min_size" {
  description = "Fewest instances the group keeps."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.min_size >= 1 && floor(var.min_size) == var.min_size
    error_message = "min_size must be a whole number of at least 1."
  }
}

variable "desired_capacity" {
  description = "Instances at creation; later, target tracking owns it (Terraform ignores changes to it)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.desired_capacity >= 1 && floor(var.desired_capacity) == var.desired_capacity
    error_message = "desired_capacity must be a whole number of at least 1."
  }
}

variable "max_size" {
  description = "Most instances scaling may reach."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_size >= 1 && var.max_size <= 100 && floor(var.max_size) == var.max_size
    error_message = "max_size must be a whole number from 1 to 100."
  }
}

variable "cpu_target" {
  description = "Average CPU percentage target tracking keeps the group at."
  type        = number
  default     = 70
  nullable    = false

  validation {
    condition     = var.cpu_target >= 10 && var.cpu_target <= 90
    error_message = "cpu_target must be from 10 to 90 percent."
  }
}

variable "health_check_path" {
  description = "Path the load balancer checks; the app answers it before host validation."
  type        = string
  default     = "/health/"
  nullable    = false

  validation {
    condition     = can(regex("^/[A-Za-z0-9/_.-]*$", var.health_check_path))
    error_message = "health_check_path must be a URL path starting with /, e.g. /health/."
  }
}

variable "health_check_grace_period" {
  description = "Seconds after launch before Auto Scaling acts on a failed ELB health check: boot, docker install and image pull."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.health_check_grace_period >= 0 && var.health_check_grace_period <= 7200
    error_message = "health_check_grace_period must be from 0 to 7200 seconds."
  }
}

variable "instance_warmup" {
  description = "Seconds a new instance needs before its metrics count for scaling and a refresh moves on."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.instance_warmup >= 0 && var.instance_warmup <= 3600
    error_message = "instance_warmup must be from 0 to 3600 seconds."
  }
}

variable "deregistration_delay" {
  description = "Seconds a leaving instance keeps serving in-flight requests; longer than the app's 25 s graceful shutdown is wasted."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be from 0 to 3600 seconds."
  }
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate in the stack's region, for HTTPS on port 443. When set, port 80 redirects to HTTPS and the app runs with DJANGO_HTTPS=true (secure cookies, HSTS); when null, the app is served over plain HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>."
  }
}

variable "app_domain" {
  description = "Public host name of the app, e.g. app.example.com. Sets ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and app_url; the DNS record (an alias to alb_dns_name) is yours to create, and the certificate should cover this name. Null uses the load balancer's DNS name."
  type        = string
  default     = null

  validation {
    condition     = var.app_domain == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.app_domain))
    error_message = "app_domain must be a lowercase host name such as app.example.com."
  }
}

variable "app_environment" {
  description = "Non-secret environment variables for the container. Secrets belong in SSM parameters under /<project>/<environment>/."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for name in keys(var.app_environment) : can(regex("^[A-Z_][A-Z0-9_]*$", name))])
    error_message = "app_environment keys must be environment variable names: capitals, digits and _."
  }
}

variable "secret_parameters" {
  description = "Container environment variables read at boot from SecureString parameters under /<project>/<environment>/ (name -> parameter name)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for name, parameter in var.secret_parameters : can(regex("^[A-Z_][A-Z0-9_]*$", name)) && can(regex("^[A-Za-z0-9_.-]+$", parameter))])
    error_message = "secret_parameters maps variable names (capitals, digits, _) to parameter names under the app's path (letters, digits, _ . -)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the app's and the VPC flow logs."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 30, 90, 365."
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic; empty creates no topic."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for address in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "access_logs_bucket" {
  description = "Existing S3 bucket for ALB access logs (its policy must allow the ELB log delivery); null disables them."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion; turn off only to tear the stack down."
  type        = bool
  default     = true
  nullable    = false
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter naming the current Amazon Linux AMI; read at plan time into a concrete AMI id."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  nullable    = false
}

variable "registry_username" {
  description = "Registry user the instances log in as before pulling a private image (with registry_pull_token). Null pulls anonymously: public images need nothing."
  type        = string
  default     = null

  validation {
    condition     = var.registry_username == null || can(regex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$", var.registry_username))
    error_message = "registry_username must be a registry user name (letters, digits, . _ @ -)."
  }
}

variable "registry_pull_token" {
  description = "Read-only registry token for registry_username (Docker Hub: a personal access token with Read-only scope). Ephemeral: stored by AWS as a SecureString through a write-only argument, never in plan or state. Set it through TF_VAR_registry_pull_token, not on the command line."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "registry_pull_token_version" {
  description = "Raise it after rotating the token: Terraform cannot see a write-only value change, so this number tells it to write the new token. The next instances log in with it."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.registry_pull_token_version >= 1 && floor(var.registry_pull_token_version) == var.registry_pull_token_version
    error_message = "registry_pull_token_version must be a whole number of at least 1."
  }
}

variable "django_secret_key_version" {
  description = "Version of the generated Django SECRET_KEY. The key is generated (ephemeral, write-only: in no plan, log or state) when the stack is created; raise this number to rotate it, which signs every user out."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.django_secret_key_version >= 1 && floor(var.django_secret_key_version) == var.django_secret_key_version
    error_message = "django_secret_key_version must be a whole number, 1 or more."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of the IAM policy set as permissions boundary on every role the stack creates. The deploy policy in docs/iam-deploy-policy.json only lets the deploy role create roles with this boundary (docs/iam-boundary-policy.json is the sample); null creates the roles without one, for accounts that do not use the least-privilege deploy policy."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM managed policy ARN, arn:aws:iam::<account>:policy/<name>."
  }
}

variable "database" {
  description = "Create the fleet's shared database (Amazon RDS for PostgreSQL) and give the app its connection. Off for an app that needs none or brings its own through DATABASE_URL in secret_parameters."
  type        = bool
  default     = true
  nullable    = false
}

variable "database_multi_az" {
  description = "Keep a synchronous standby in a second zone that RDS fails over to (60-120 s); turn off for staging to halve the cost."
  type        = bool
  default     = true
  nullable    = false
}

variable "database_engine_version" {
  description = "PostgreSQL version, major (\"17\": RDS picks and applies the current minor) or major.minor."
  type        = string
  default     = "17"
  nullable    = false

  validation {
    condition     = can(regex("^(1[3-7])(\\.[0-9]+)?$", var.database_engine_version))
    error_message = "database_engine_version must be a PostgreSQL major version RDS offers (13 to 17), optionally with a minor, e.g. 17 or 16.4."
  }
}

variable "database_instance_class" {
  description = "RDS instance class of the database, e.g. db.t4g.medium or db.m7g.large."
  type        = string
  default     = "db.t4g.medium"
  nullable    = false

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.database_instance_class))
    error_message = "database_instance_class must be an RDS instance class such as db.t4g.medium."
  }
}

variable "database_allocated_storage" {
  description = "Initial storage of the database in GiB (gp3); RDS grows it automatically up to five times this."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.database_allocated_storage >= 20 && var.database_allocated_storage <= 65536 && floor(var.database_allocated_storage) == var.database_allocated_storage
    error_message = "database_allocated_storage must be a whole number of GiB from 20 (gp3's minimum) to 65536."
  }
}

variable "database_backup_retention_days" {
  description = "Days RDS keeps automated backups (point-in-time recovery window)."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.database_backup_retention_days >= 7 && var.database_backup_retention_days <= 35 && floor(var.database_backup_retention_days) == var.database_backup_retention_days
    error_message = "database_backup_retention_days must be a whole number of days from 7 to 35 (RDS's maximum)."
  }
}

variable "release_alarm_5xx_percent" {
  description = "Release alarm: share of a target group's requests answered 5xx by the app, in percent, above which a release is rolled back during its refresh and bake."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.release_alarm_5xx_percent > 0 && var.release_alarm_5xx_percent < 100
    error_message = "release_alarm_5xx_percent must be above 0 and below 100."
  }
}

variable "release_alarm_p95_seconds" {
  description = "Release alarm: 95th percentile target response time, in seconds, above which a release is rolled back during its refresh and bake."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.release_alarm_p95_seconds > 0
    error_message = "release_alarm_p95_seconds must be above 0."
  }
}
