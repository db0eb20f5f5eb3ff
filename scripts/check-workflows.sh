#!/usr/bin/env bash
# actionlint and zizmor over the workflows and the examples: zero findings. zizmor runs offline
# (no GitHub API here); its only configured exception is in .github/zizmor.yml, with the reason.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
files=(.github/workflows/*.yml .github/examples/*.yml)
.venv-tools/bin/actionlint "${files[@]}"
echo "actionlint: ${#files[@]} files, no findings"
.venv-tools/bin/zizmor --offline --config .github/zizmor.yml "${files[@]}"
