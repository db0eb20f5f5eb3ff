#!/usr/bin/env bash
# Every check of app/: its pytest suite (unit, settings, gunicorn over real sockets, and the database
# tests against a throwaway PostgreSQL 15 server from Debian's postgresql package),
# `manage.py check --deploy` with production settings, hadolint, and the image built and run
# for real through the container runtime harness (which needs root).
#
# Assumes scripts/setup.sh has run. Leaves the container runtime up, so the next run (and other
# suites using it) start in well under a second; `emulation/container-runtime/runtime.sh down`
# stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runtime=emulation/container-runtime/runtime.sh

step() { echo "== check-app: $*"; }

step "pytest app/tests"
(cd app && ../.venv/bin/python -m pytest)

step "manage.py check --deploy (production settings)"
(
  cd app
  DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY="$(../.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=app.example.com \
    DJANGO_CSRF_TRUSTED_ORIGINS=https://app.example.com \
    DJANGO_HTTPS=true \
    ../.venv/bin/python manage.py check --deploy --fail-level WARNING
)

step "hadolint app/Dockerfile"
.venv-tools/bin/hadolint app/Dockerfile

step "container runtime up"
bash "$runtime" up
eval "$(bash "$runtime" env)"

step "pytest __tests__/app-image (the image built and run)"
.venv/bin/python -m pytest __tests__/app-image
