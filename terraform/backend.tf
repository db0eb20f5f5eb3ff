# State lives in S3; bucket, key and region come from the action's backend-config input
# (terraform init -backend-config=...), so one copy of this stack serves every environment.
# Locking: use_lockfile=true (S3 conditional writes, Terraform >= 1.10) or a DynamoDB table.
terraform {
  backend "s3" {
    encrypt = true
  }
}
