# Django's SECRET_KEY: drawn by AWS (Secrets Manager GetRandomPassword) through an EPHEMERAL resource
# and written to SSM Parameter Store through the parameter's write-only value_wo. Ephemeral values
# are never written to the plan or the state, and write-only arguments are sent to AWS but never
# stored or shown, so the key is in no log, plan file or state; the instance reads it at boot.
# (The data source of the same name set its id to the password: every plan and apply printed it.)
ephemeral "aws_secretsmanager_random_password" "django_secret_key" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_ssm_parameter" "django_secret_key" {
  #checkov:skip=CKV_AWS_337:The AWS managed key (alias/aws/ssm) is enough for this parameter; pass a CMK through a fork if policy demands one.
  name        = "${local.parameter_path}/DJANGO_SECRET_KEY"
  description = "Django SECRET_KEY of ${local.name}"
  type        = "SecureString"
  # Sent only when the version changes: the key stays the same across deploys (users stay signed
  # in) until django_secret_key_version is raised to rotate it.
  value_wo         = ephemeral.aws_secretsmanager_random_password.django_secret_key.random_password
  value_wo_version = var.django_secret_key_version
}

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
