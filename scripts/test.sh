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

results="$(mktemp -d)"
deploy_suite=""
trap '[ -n "$deploy_suite" ] && kill "$deploy_suite" 2>/dev/null; rm -rf "$results"' EXIT

# The end-to-end deploy suite takes about five minutes, most of it waiting on Terraform and the
# emulated region. It needs the container runtime check-app brought up, and runs in the background
# from here while the other checks and suites run; the jest suites run one at a time, on the
# machine's Node and then on Node 24 (GitHub runs the action on it). The Terraform and container
# suites exercise external tools, not the Node runtime, so they run once.
step "jest: deploy end to end on $(node --version), in the background"
npx --no-install jest --ci --json --outputFile="$results/jest-deploy.json" __tests__/deploy >"$results/deploy.log" 2>&1 &
deploy_suite=$!

step "terraform: fmt, validate, terraform test, checkov"
bash scripts/check-terraform.sh

step "emulated region harness: pytest"
(cd __tests__/emulated-region && "$root/.venv/bin/python" -m pytest -q -p no:cacheprovider)

step "workflows: actionlint, zizmor"
bash scripts/check-workflows.sh

step "lint and type check"
npm run --silent lint
npm run --silent typecheck

step "jest on $(node --version)"
npx --no-install jest --ci --maxWorkers=1 --json --outputFile="$results/jest-machine.json" \
  --testPathIgnorePatterns '/__tests__/deploy/'

step "jest on Node 24"
npx -y node@24 node_modules/jest/bin/jest.js --ci --maxWorkers=1 --json --outputFile="$results/jest-node24.json" \
  --testPathIgnorePatterns '/__tests__/(terraform/|image/real-docker|deploy/|workflow/)'

step "jest: deploy end to end (waiting for it)"
deploy_status=0
wait "$deploy_suite" || deploy_status=$?
deploy_suite=""
cat "$results/deploy.log"
if [ "$deploy_status" -ne 0 ]; then
  echo "jest: the deploy end-to-end suite failed (exit $deploy_status): its log is above" >&2
  exit "$deploy_status"
fi

node -e '
  const files = process.argv.slice(1);
  let passed = 0, failed = 0;
  for (const file of files) { const r = require(file); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`\njest: ${passed} passed, ${failed} failed`);
' "$results"/jest-*.json

printf '\nall checks passed in %ss\n' "$((SECONDS - started))"
