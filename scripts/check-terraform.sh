#!/usr/bin/env bash
# The bundled stack's static checks: fmt, init + validate and `terraform test` (providers from
# this machine's mirror, see terraform-env.sh), and checkov with zero failed checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/terraform-env.sh
source "$root/scripts/terraform-env.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A copy of the stack's own files, so .terraform/ and the lock file never land in the checkout, and
# what the deploy suite's in-place init (as the action does it) writes there, maybe at this very
# moment, is neither copied nor used.
mkdir "$work/stack"
cp "$root"/terraform/*.tf "$root"/terraform/*.tftpl "$work/stack/"
cp -r "$root/terraform/tests" "$work/stack/tests"
cd "$work/stack"

terraform fmt -check -recursive -diff >"$work/fmt.log" || { cat "$work/fmt.log" >&2; echo "terraform fmt: files above need 'terraform fmt -recursive terraform'" >&2; exit 1; }
echo "terraform fmt: clean"
terraform init -backend=false -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
terraform validate -no-color
# Terraform 1.11's mock providers refuse ephemeral resources: the mocked tests plan a copy whose
# secrets.tf is the test double in tests/doubles (the real one is applied in the emulated region by
# __tests__/terraform/django-secret.test.ts). checkov below reads the real files again.
cp -r "$work/stack" "$work/mocked"
cp "$work/mocked/tests/doubles/secrets.tf" "$work/mocked/secrets.tf"
if ! (cd "$work/mocked" && terraform test -no-color) >"$work/test.log" 2>&1; then
  cat "$work/test.log" >&2
  exit 1
fi
echo "terraform test: $(grep -E '^Success!|^Failure!' "$work/test.log")"

"$root/.venv-tools/bin/checkov" --directory "$work/stack" --framework terraform --quiet --compact \
  --output cli --skip-path tests >"$work/checkov.log" 2>&1 || { cat "$work/checkov.log" >&2; echo "checkov: failed checks above" >&2; exit 1; }
echo "checkov: $(grep -E 'Passed checks' "$work/checkov.log" || echo 'no findings')"
