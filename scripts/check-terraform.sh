#!/usr/bin/env bash
# The Terraform checks: fmt; init + validate + `terraform test` of the web-tier module, of the
# action's bundled root that calls it, and of the module example (providers from this machine's
# mirror, see terraform-env.sh); checkov on the stack with zero failed checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/terraform-env.sh
source "$root/scripts/terraform-env.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A copy of the configurations' own files, so .terraform/ and lock files never land in the checkout,
# and what the deploy suite's in-place init (as the action does it) writes there, maybe at this very
# moment, is neither copied nor used. The layout is kept: the root and the example call the module
# by relative path.
copy_configurations() { # copy_configurations DEST
  # `|| true`: a test running beside this check may create or remove a .terraform directory while
  # find walks the tree, which makes find exit non-zero although every source file was listed.
  (cd "$root" && find terraform examples/terraform-module -name .terraform -prune -o -type f \
    \( -name '*.tf' -o -name '*.tftpl' -o -name '*.hcl' -o -name container.json \) -print || true) |
    while read -r file; do install -D -m 644 "$root/$file" "$1/$file"; done
}
copy_configurations "$work"
# Terraform 1.11's mock providers refuse ephemeral resources: the mocked `terraform test` runs use a
# second copy whose module secrets.tf is the test double in modules/web-tier/tests/doubles (the real
# one is planned and applied in the emulated region by
# __tests__/bundled-terraform/django-secret.integration.test.ts). validate and checkov read the real
# files.
copy_configurations "$work/mocked"
cp "$work/mocked/terraform/modules/web-tier/tests/doubles/secrets.tf" "$work/mocked/terraform/modules/web-tier/secrets.tf"
cd "$work"

terraform fmt -check -recursive -diff terraform examples >"$work/fmt.log" ||
  { cat "$work/fmt.log" >&2; echo "terraform fmt: files above need 'terraform fmt -recursive terraform examples'" >&2; exit 1; }
echo "terraform fmt: clean"

for config in terraform/modules/web-tier terraform examples/terraform-module; do
  (
    cd "$work/$config"
    terraform init -backend=false -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
    terraform validate -no-color >"$work/validate.log" 2>&1 || { cat "$work/validate.log" >&2; exit 1; }
    cd "$work/mocked/$config"
    terraform init -backend=false -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
    if ! terraform test -no-color >"$work/test.log" 2>&1; then
      cat "$work/test.log" >&2
      exit 1
    fi
    echo "$config: valid; terraform test: $(grep -E '^Success!|^Failure!' "$work/test.log")"
  )
done

"$root/.venv-tools/bin/checkov" --directory "$work/terraform" --framework terraform --quiet --compact \
  --output cli --skip-path tests >"$work/checkov.log" 2>&1 || { cat "$work/checkov.log" >&2; echo "checkov: failed checks above" >&2; exit 1; }
echo "checkov: $(grep -E 'Passed checks' "$work/checkov.log" || echo 'no findings')"
