terraform {
  # 1.6: terraform test with mock providers (1.7) is only needed by the tests, not by users.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # One major version: a new major can change resource behaviour under a running stack.
      version = "~> 5.0"
    }
  }
}
