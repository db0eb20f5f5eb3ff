#!/usr/bin/env bash
# Fails when the committed dist/ is not what the current src/ builds to: GitHub runs dist/index.js,
# so a stale bundle would ship code nobody reviewed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
npx --no-install ncc build src/index.ts --out "$fresh" --license licenses.txt --minify --no-source-map-register >/dev/null
if ! diff -q "$fresh/index.js" dist/index.js >/dev/null || ! diff -q "$fresh/licenses.txt" dist/licenses.txt >/dev/null; then
  echo "dist/ is stale: src/ builds to a different bundle. Run 'npm run build' and commit dist/." >&2
  diff <(fold -w 200 dist/index.js) <(fold -w 200 "$fresh/index.js") | head -20 >&2 || true
  exit 1
fi
echo "dist/ is up to date ($(wc -c <dist/index.js) bytes)"
