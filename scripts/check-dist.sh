#!/usr/bin/env bash
# Fails when the committed dist/ is not what the current src/ builds to: GitHub runs dist/index.js,
# so a stale bundle would ship code nobody reviewed. Compares every file: the entry, its chunks,
# their source maps, the licenses file and dist/package.json (the build is deterministic).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
npx --no-install tsx scripts/build.ts "$fresh/dist" >/dev/null
if ! diff -rq "$fresh/dist" dist >/dev/null; then
  echo "dist/ is stale: src/ builds to a different bundle. Run 'npm run build' and commit dist/." >&2
  diff -rq "$fresh/dist" dist | sed "s|$fresh/dist|the fresh build|g" | head -20 >&2 || true
  exit 1
fi
echo "dist/ is up to date ($(find dist -name '*.js' | wc -l) files, $(cat dist/*.js | wc -c) bytes of JavaScript)"
