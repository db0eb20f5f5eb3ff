#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then lint, type check, the jest
# suites (unit and *.integration.test.ts on the machine's Node and on Node 24, *.e2e.test.ts once)
# and the app, Terraform, emulated-region harness and workflow checks. Exits non-zero on the first
# failure (a background stream's when it is waited for).
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
declare -A stream_pid=()
stop_streams() {
  for pid in "${stream_pid[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
}
trap 'stop_streams; rm -rf "$results"' EXIT

# A stream runs in the background in its own process group (so stopping it stops its children),
# its output kept in a log that is printed when it is waited for.
start_stream() {
  local name="$1"
  shift
  step "$name: started in the background"
  setsid --wait "$@" >"$results/$name.log" 2>&1 &
  stream_pid[$name]=$!
}

finish_stream() {
  local name="$1" status=0
  step "$name: waiting for it"
  wait "${stream_pid[$name]}" || status=$?
  unset "stream_pid[$name]"
  cat "$results/$name.log"
  if [ "$status" -ne 0 ]; then
    echo "$name failed (exit $status): its log is above" >&2
    exit "$status"
  fi
}

# Suites are selected by name (see __tests__/README.md). *.e2e.test.ts deploy the bundled stack end
# to end (minutes each, most of it waiting on Terraform and the emulated region): once, on the
# machine's Node. Every other suite, unit and *.integration.test.ts alike, runs on the machine's
# Node and on Node 24 (GitHub runs the action on it), but for the tools-only ones: the bundled
# Terraform's suites and the real-Docker image suite test those tools' work, which no Node version
# changes. The suites mostly wait (on the emulated region's clock, Terraform, the container
# runtime; a rollout suite uses about a third of one core), so the end-to-end suites, the Node 24
# pass and the harness's suite run in the background beside the other checks: that keeps CI within
# its time budget. Every suite names what it creates at random, so two passes of one suite never
# meet.
e2e='\.e2e\.test\.ts$'
tools_only='/__tests__/bundled-terraform/|/__tests__/image/real-docker\.'
start_stream "jest end to end on $(node --version)" \
  npx --no-install jest --ci --json --outputFile="$results/jest-e2e.json" --testPathPatterns "$e2e"
e2e_stream="jest end to end on $(node --version)"
start_stream "jest on Node 24" \
  npx -y node@24 node_modules/jest/bin/jest.js --ci --maxWorkers=1 --json --outputFile="$results/jest-node24.json" \
  --testPathIgnorePatterns "$e2e" "$tools_only"

# The harness's own suite mostly waits on its clock too (a quarter of one core).
start_stream "emulated region harness: pytest" \
  bash -c 'cd emulation/region && exec ../../.venv/bin/python -m pytest -q -p no:cacheprovider'

step "terraform: fmt, validate, terraform test, checkov"
bash scripts/check-terraform.sh

step "workflows: actionlint, zizmor"
bash scripts/check-workflows.sh

step "lint and type check"
npm run --silent lint
npm run --silent typecheck

step "jest on $(node --version): unit and integration"
npx --no-install jest --ci --maxWorkers=1 --json --outputFile="$results/jest-machine.json" \
  --testPathIgnorePatterns "$e2e"

finish_stream "emulated region harness: pytest"
finish_stream "jest on Node 24"
finish_stream "$e2e_stream"

node -e '
  const files = process.argv.slice(1);
  let passed = 0, failed = 0;
  for (const file of files) { const r = require(file); passed += r.numPassedTests; failed += r.numFailedTests; }
  console.log(`\njest: ${passed} passed, ${failed} failed`);
' "$results"/jest-*.json

printf '\nall checks passed in %ss\n' "$((SECONDS - started))"
