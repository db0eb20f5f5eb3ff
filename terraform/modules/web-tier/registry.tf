# Pulling a private image: the instances log in with a read-only registry token before the pull.
# The token reaches the stack as an ephemeral variable (the action sets TF_VAR_registry_pull_token
# in Terraform's environment, never on its command line) and is written to a SecureString through
# the write-only value_wo, so it is in neither the plan file nor the state. The instance reads it
# with its role at boot and pipes it to docker login --password-stdin.
locals {
  registry_login = var.registry_username != null
  # The registry the image lives on: its first path segment when that is a host (has a dot or a
  # port, or is localhost), else Docker Hub, as docker itself decides.
  image_first_segment = split("/", var.image)[0]
  registry_host = (
    length(split("/", var.image)) > 1 && (strcontains(local.image_first_segment, ".") || strcontains(local.image_first_segment, ":") || local.image_first_segment == "localhost")
    ? local.image_first_segment
    : "docker.io"
  )
  # Under the app's parameter path, which the instance role may read; not a secret_parameters
  # name (those have no slash), so it cannot end up in the container's environment.
  registry_token_parameter = "${local.parameter_path}/registry/pull-token"
}

resource "aws_ssm_parameter" "registry_pull_token" {
  #checkov:skip=CKV_AWS_337:The AWS managed key (alias/aws/ssm) is enough for this parameter; pass a CMK through a fork if policy demands one.
  count       = local.registry_login ? 1 : 0
  name        = local.registry_token_parameter
  description = "Read-only token ${var.registry_username} pulls ${local.name}'s image with"
  type        = "SecureString"
  # Write-only: sent to AWS on create and whenever the version changes, never stored by Terraform.
  value_wo         = var.registry_pull_token
  value_wo_version = var.registry_pull_token_version

  lifecycle {
    precondition {
      condition     = var.registry_pull_token != null
      error_message = "registry_username is set but registry_pull_token is not: set the action's pull-token input (TF_VAR_registry_pull_token), or unset registry_username for a public image."
    }
  }
}
