#!/usr/bin/env bash
# Sourced: points Terraform at this machine's filesystem mirror of the hashicorp/aws provider
# (found at run time, or TF_PROVIDER_MIRROR), through a CLI config in a temp dir. No machine path
# is committed, and the network is never asked for a provider.
if ! command -v terraform >/dev/null; then
  echo "terraform-env: the Terraform CLI is not on PATH" >&2
  return 1 2>/dev/null || exit 1
fi
if [[ "${TF_PROVIDERS_FROM_REGISTRY:-}" == 1 ]]; then
  # GitHub CI: providers from registry.terraform.io, as users get them.
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  unset TF_CLI_CONFIG_FILE
  return 0 2>/dev/null || exit 0
fi
if [[ -z "${TF_PROVIDER_MIRROR:-}" ]]; then
  # Under a caller's `set -eo pipefail` a failing find (a directory another test removes while it
  # walks, or SIGPIPE from `head`) would end the caller silently: -quit instead of head, and only
  # an empty result counts as not found.
  provider_binary="$(find / -xdev -path /proc -prune -o -type f -name 'terraform-provider-aws_*' -not -path '*/.terraform/*' -print -quit 2>/dev/null || true)"
  if [[ -z "$provider_binary" ]]; then
    echo "terraform-env: no terraform-provider-aws_* on this machine; set TF_PROVIDER_MIRROR to a filesystem mirror" >&2
    return 1 2>/dev/null || exit 1
  fi
  # <mirror>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*
  TF_PROVIDER_MIRROR="$(cd "$(dirname "$provider_binary")/../../../../.." && pwd)"
fi
export TF_PROVIDER_MIRROR
tf_env_dir="$(mktemp -d)"
cat >"$tf_env_dir/terraformrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$TF_PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
CONFIG
export TF_CLI_CONFIG_FILE="$tf_env_dir/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
