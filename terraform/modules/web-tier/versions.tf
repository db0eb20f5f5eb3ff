terraform {
  # 1.11: write-only arguments and ephemeral values keep the registry token out of plan and state
  # (1.10 brought the S3 backend's use_lockfile).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Only what the suite runs: 5.100 is the version tested (terraform test, validate, the deploy
      # suite's apply). 6.x is not tested here, so it is not claimed.
      version = ">= 5.100, < 6.0"
    }
  }
}
