# TEST DOUBLE of ../../secrets.tf for the mocked `terraform test` runs only (scripts/check-terraform.sh
# swaps it in on its copy of the stack). Terraform 1.11's mock providers refuse any configuration
# with an ephemeral resource ("The provider mocking mechanism does not yet support ephemeral
# resource types"), so here the parameter takes a fixed value instead of the ephemeral password.
# The real secrets.tf (ephemeral password, write-only value_wo) is planned and applied with the
# real provider in __tests__/bundled-terraform/django-secret.integration.test.ts, which also proves
# the key reaches neither the log nor the state.
resource "aws_ssm_parameter" "django_secret_key" {
  #checkov:skip=CKV_AWS_337:Test double; see ../../secrets.tf.
  name             = "${local.parameter_path}/DJANGO_SECRET_KEY"
  description      = "Django SECRET_KEY of ${local.name}"
  type             = "SecureString"
  value_wo         = "test-double-not-a-secret"
  value_wo_version = var.django_secret_key_version
}

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
