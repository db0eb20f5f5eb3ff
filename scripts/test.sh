#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then lint, type check, the jest
# suites (unit and *.integration.test.ts on the machine's Node and on Node 24, *.e2e.test.ts once)
# and the app, Terraform, emulated-region harness and workflow checks. Exits non-zero on the first
# failure.
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
e2e_suite=""
trap '[ -n "$e2e_suite" ] && kill "$e2e_suite" 2>/dev/null; rm -rf "$results"' EXIT

# Suites are selected by name (see __tests__/README.md): *.e2e.test.ts deploy the bundled stack
# end to end (the deploy suites and the act run of the reusable workflow, minutes each, most of it
# waiting on Terraform and the emulated region). They need the container runtime check-app brought
# up, run once, on the machine's Node, in the background from here while the other checks and
# suites run. Every other suite, unit and *.integration.test.ts alike, runs one at a time on the
# machine's Node and then on Node 24 (GitHub runs the action on it), but for the tools-only ones.
e2e='\.e2e\.test\.ts$'
step "jest: end to end (*.e2e.test.ts) on $(node --version), in the background"
npx --no-install jest --ci --json --outputFile="$results/jest-e2e.json" --testPathPatterns "$e2e" \
  >"$results/e2e.log" 2>&1 &
e2e_suite=$!

step "terraform: fmt, validate, terraform test, checkov"
bash scripts/check-terraform.sh

step "emulated region harness: pytest"
(cd emulation/region && "$root/.venv/bin/python" -m pytest -q -p no:cacheprovider)

step "workflows: actionlint, zizmor"
bash scripts/check-workflows.sh

step "lint and type check"
npm run --silent lint
npm run --silent typecheck

step "jest on $(node --version): unit and integration"
npx --no-install jest --ci --maxWorkers=1 --json --outputFile="$results/jest-machine.json" \
  --testPathIgnorePatterns "$e2e"

# The bundled Terraform's suites and the real-Docker image suite test those tools' work, which no
# Node version changes: once, on the machine's Node, keeps CI within its time budget.
tools_only='/__tests__/bundled-terraform/|/__tests__/image/real-docker\.'
step "jest on Node 24: unit and integration"
npx -y node@24 node_modules/jest/bin/jest.js --ci --maxWorkers=1 --json --outputFile="$results/jest-node24.json" \
  --testPathIgnorePatterns "$e2e" "$tools_only"

step "jest: end to end (waiting for it)"
e2e_status=0
wait "$e2e_suite" || e2e_status=$?
e2e_suite=""
cat "$results/e2e.log"
if [ "$e2e_status" -ne 0 ]; then
  echo "jest: the end-to-end suites failed (exit $e2e_status): their log is above" >&2
  exit "$e2e_status"
fi

node -e '
  const files = process.argv.slice(1);
  let passed = 0, failed = 0;
  for (const file of files) { const r = require(file); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`\njest: ${passed} passed, ${failed} failed`);
' "$results"/jest-*.json

printf '\nall checks passed in %ss\n' "$((SECONDS - started))"
