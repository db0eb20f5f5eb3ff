#!/usr/bin/env bash
# Runs the action against an emulated AWS region on 127.0.0.1 and prints its log and summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
exec npx --no-install tsx scripts/demo.ts
