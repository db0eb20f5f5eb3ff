provider "aws" {
  # Null means the usual AWS environment (AWS_REGION), which is how the action passes it.
  region = var.aws_region

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform (ha-django-deploy)"
    }
  }
}
