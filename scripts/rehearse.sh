#!/usr/bin/env bash
# Deploys your own build context(s) into the emulated region, as the demo deploys app/: one
# release per context, in order, over one stack. See the README's "Rehearse your own app".
#
#   bash scripts/rehearse.sh [--no-setup] [--keep] <build-context> [<build-context> ...]
#
# --no-setup skips `scripts/setup.sh --runtime` (for a machine set up already, as in CI).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == --no-setup ]]; then
  shift
else
  bash "$root/scripts/setup.sh" --runtime >&2
fi
# Relative build contexts are the caller's, so the working directory stays.
exec "$root/node_modules/.bin/tsx" "$root/scripts/rehearse.ts" "$@"
