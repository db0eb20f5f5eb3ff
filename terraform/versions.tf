terraform {
  # 1.11: write-only arguments (value_wo), so the generated Django key is in neither plan nor state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # One major version: a new major can change resource behaviour under a running stack. 5.100 has
      # the ephemeral aws_secretsmanager_random_password and aws_ssm_parameter.value_wo.
      version = "~> 5.100"
    }
  }
}
