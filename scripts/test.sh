#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then lint, type check, the jest
# suites (unit, emulated-region integration, real Terraform and Docker) on the machine's Node and
# on Node 24, and the app, Terraform and workflow checks. Exits non-zero on the first failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

started=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$1" "$((SECONDS - started))"; }

step "install"
bash scripts/setup.sh

step "app: pytest, check --deploy, hadolint, image built and run"
bash scripts/check-app.sh

step "terraform: fmt, validate, terraform test, checkov"
bash scripts/check-terraform.sh

step "emulated region harness: pytest"
(cd __tests__/emulated-region && "$root/.venv/bin/python" -m pytest -q -p no:cacheprovider)

step "workflows: actionlint, zizmor"
bash scripts/check-workflows.sh

step "lint and type check"
npm run --silent lint
npm run --silent typecheck

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

step "jest on $(node --version)"
npx --no-install jest --ci --json --outputFile="$results/jest-machine.json"

# GitHub runs the action on Node 24. The suites that drive the action's own code run again on it;
# the Terraform and container suites exercise external tools, not the Node runtime, so once is enough.
step "jest on Node 24"
npx -y node@24 node_modules/jest/bin/jest.js --ci --json --outputFile="$results/jest-node24.json" \
  --testPathIgnorePatterns '/__tests__/(terraform/|image/real-docker|deploy/)'

node -e '
  const files = process.argv.slice(1);
  let passed = 0, failed = 0;
  for (const file of files) { const r = require(file); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`\njest: ${passed} passed, ${failed} failed`);
' "$results"/jest-*.json

printf '\nall checks passed in %ss\n' "$((SECONDS - started))"
