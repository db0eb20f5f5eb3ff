terraform {
  # 1.11: write-only arguments and ephemeral values (the registry token); 1.10: use_lockfile.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}
