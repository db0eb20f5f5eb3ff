#!/usr/bin/env bash
# A Docker-compatible container runtime for the image tests, on a machine without a Docker engine.
#
#   runtime.sh up     start podman's Docker API service, an authenticated local registry, and
#                     import a debootstrapped Debian base image; does nothing that is already done
#   runtime.sh env    print the exports the tests need: DOCKER_HOST, TEST_REGISTRY (host:port),
#                     TEST_REGISTRY_USER / _PASSWORD / _CA, TEST_BASE_IMAGE
#   runtime.sh down   stop both services and remove the containers they ran; images and caches stay
#
# Run as root (podman runs rootful here). The `docker` CLI then works unchanged against
# DOCKER_HOST: build (legacy builder: buildx is not involved), login --password-stdin, push,
# pull, run. Configuration lives in files under RUNTIME_DIR, handed to podman through the
# CONTAINERS_* variables; the one system path written is the registry's CA under
# /etc/containers/certs.d, the only place podman reads registry CAs from (`down` removes it).
set -euo pipefail

RUNTIME_DIR="${HA_DJANGO_DEPLOY_RUNTIME_DIR:-/var/tmp/ha-django-deploy-runtime}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SOCKET="$RUNTIME_DIR/podman.sock"
REGISTRY="127.0.0.1:5000"
REGISTRY_USER="ci"
BASE_IMAGE="localhost/debian-python:bookworm"
BASE_TARBALL="$RUNTIME_DIR/cache/debian-python-bookworm.tar"
REGISTRY_CA_DIR="/etc/containers/certs.d/$REGISTRY"

export CONTAINERS_CONF="$RUNTIME_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$RUNTIME_DIR/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$RUNTIME_DIR/registries.conf"

log() { echo "runtime: $*" >&2; }
die() { log "$*"; exit 1; }

require_tools() {
  local tool missing=()
  for tool in podman runc docker-registry debootstrap htpasswd openssl curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: run scripts/setup.sh (apt packages in scripts/apt-packages.txt)"
}

# Every suite that needs Docker runs `up`, often while another suite's build reads these files:
# each is replaced in one rename, and only when its content changes, so no reader sees it half
# written (podman's build helpers re-read storage.conf and fail on an empty one).
install_config() {
  local target="$1" staged
  staged="$(mktemp "$target.XXXXXX")"
  chmod 644 "$staged"
  cat >"$staged"
  if cmp -s "$staged" "$target"; then rm -f "$staged"; else mv -f "$staged" "$target"; fi
}

write_configs() {
  mkdir -p "$RUNTIME_DIR"/{cache,logs,registry-data,storage,run}
  # Each setting works around this machine's kernel and sandbox, and is harmless elsewhere:
  # cgroupfs: no systemd to delegate cgroups to. events_logger file: no journald.
  # runc: crun fails on this cgroup layout. netns host: builds reach PyPI through the host's network
  #   (the image test asks for a bridge network explicitly, to publish a port).
  # default_ulimits: runc may not raise limits here (no CAP_SYS_RESOURCE), so containers get values
  #   below the host's hard limits instead of podman's defaults.
  # v2s2: Docker's image format; the OCI format podman builds by default drops HEALTHCHECK.
  install_config "$CONTAINERS_CONF" <<EOF
[containers]
netns = "host"
default_ulimits = ["nofile=8192:8192", "nproc=4096:4096"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
image_default_format = "v2s2"
EOF
  install_config "$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$RUNTIME_DIR/storage"
runroot = "$RUNTIME_DIR/run"
EOF
  # No short-name search: every image is named with its registry, as the tests and the action do.
  install_config "$CONTAINERS_REGISTRIES_CONF" <<EOF
unqualified-search-registries = []
EOF
  install_config "$RUNTIME_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $RUNTIME_DIR/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
  tls:
    certificate: $RUNTIME_DIR/registry.crt
    key: $RUNTIME_DIR/registry.key
auth:
  htpasswd:
    realm: ha-django-deploy-test-registry
    path: $RUNTIME_DIR/htpasswd
EOF
}

# The registry demands a password, like a real one, so `docker login` is exercised for real. The
# password is generated once and kept (mode 600) so repeated `up`s and logins agree.
ensure_credentials() {
  local password_file="$RUNTIME_DIR/registry-password"
  if [[ ! -s "$password_file" ]]; then
    (umask 077 && openssl rand -hex 24 >"$password_file")
  fi
  if [[ ! -s "$RUNTIME_DIR/htpasswd" ]]; then
    (umask 077 && htpasswd -Bbn "$REGISTRY_USER" "$(cat "$password_file")" >"$RUNTIME_DIR/htpasswd")
  fi
}

# TLS, because podman's Docker-API login refuses plain HTTP for any registry not named localhost,
# whatever registries.conf says. The self-signed certificate is trusted through certs.d only.
ensure_tls() {
  if [[ ! -s "$RUNTIME_DIR/registry.crt" ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=ha-django-deploy test registry" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$RUNTIME_DIR/registry.key" -out "$RUNTIME_DIR/registry.crt" 2>/dev/null
    chmod 600 "$RUNTIME_DIR/registry.key"
  fi
  mkdir -p "$REGISTRY_CA_DIR"
  cp "$RUNTIME_DIR/registry.crt" "$REGISTRY_CA_DIR/ca.crt"
}

running() { # running NAME: the service started by `up` under this name is alive
  local pid_file="$RUNTIME_DIR/$1.pid" pid
  [[ -s "$pid_file" ]] || return 1
  pid="$(cat "$pid_file")"
  # A pid file left by an earlier boot or a killed service may name a zombie or another process.
  [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" =~ ^[^Z] ]] && [[ "$(ps -o args= -p "$pid" 2>/dev/null)" == *"$1"* ]]
}

start() { # start NAME COMMAND...: run COMMAND detached from this shell, logging to logs/NAME.log
  local name="$1"
  shift
  running "$name" && return
  log "starting $name"
  # The inner shell records its own pid, which exec hands to the service; $$ must not expand here.
  # shellcheck disable=SC2016
  # The lock fd is closed for the service: an inherited copy would hold the lock as long as it runs.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$RUNTIME_DIR/$name.pid" "$@" \
    >>"$RUNTIME_DIR/logs/$name.log" 2>&1 </dev/null {lock_fd}>&- &
}

wait_until() { # wait_until NAME COMMAND...: poll COMMAND for up to 30 s
  local name="$1"
  shift
  for _ in $(seq 150); do
    "$@" >/dev/null 2>&1 && return
    running "$name" || break
    sleep 0.2
  done
  tail -n 20 "$RUNTIME_DIR/logs/$name.log" >&2 || true
  die "$name did not come up (log: $RUNTIME_DIR/logs/$name.log)"
}

registry_answers() { # the registry speaks TLS and asks for credentials
  [[ "$(curl -sS --cacert "$RUNTIME_DIR/registry.crt" -o /dev/null -w '%{http_code}' "https://$REGISTRY/v2/")" == 401 ]]
}

podman_answers() {
  [[ "$(curl -sS --unix-socket "$SOCKET" http://d/_ping)" == OK ]]
}

# A bookworm with python3 and venv, made by debootstrap because no registry with base images is
# reachable. The rootfs is cached as a tarball, so only the first `up` on a machine pays for it.
ensure_base_image() {
  podman image exists "$BASE_IMAGE" && return
  if [[ ! -s "$BASE_TARBALL" ]]; then
    log "debootstrap bookworm (python3, python3-venv) from $DEBIAN_MIRROR"
    local rootfs
    rootfs="$(mktemp -d "$RUNTIME_DIR/cache/rootfs.XXXXXX")"
    debootstrap --variant=minbase --include=python3,python3-venv bookworm "$rootfs" "$DEBIAN_MIRROR" \
      >"$RUNTIME_DIR/logs/debootstrap.log" 2>&1 || die "debootstrap failed (log: $RUNTIME_DIR/logs/debootstrap.log)"
    # Trust the CAs this host added locally: behind a TLS-inspecting egress proxy, pip in the image
    # build can only reach PyPI with them. Nothing is copied where the host has added none.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
      cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
      chroot "$rootfs" update-ca-certificates >>"$RUNTIME_DIR/logs/debootstrap.log" 2>&1
    fi
    # Like the official Debian images: no downloaded packages or package lists.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$BASE_TARBALL.partial" .
    mv "$BASE_TARBALL.partial" "$BASE_TARBALL"
    rm -rf "$rootfs"
  fi
  log "importing $BASE_IMAGE"
  podman import --quiet --change 'CMD ["python3"]' "$BASE_TARBALL" "$BASE_IMAGE" >/dev/null
}

up() {
  require_tools
  write_configs
  ensure_credentials
  ensure_tls
  start registry docker-registry serve "$RUNTIME_DIR/registry.yml"
  start podman podman system service --time=0 "unix://$SOCKET"
  wait_until registry registry_answers
  wait_until podman podman_answers
  ensure_base_image
  log "up: DOCKER_HOST=unix://$SOCKET, registry https://$REGISTRY, base image $BASE_IMAGE"
}

stop() { # stop NAME: SIGTERM the service and wait for it to exit
  local pid_file="$RUNTIME_DIR/$1.pid"
  if running "$1"; then
    log "stopping $1"
    kill "$(cat "$pid_file")"
    for _ in $(seq 50); do
      running "$1" || break
      sleep 0.2
    done
  fi
  rm -f "$pid_file"
}

down() {
  if [[ -f "$CONTAINERS_CONF" ]]; then
    podman rm --all --force --time 5 >/dev/null 2>&1 || true
  fi
  stop podman
  stop registry
  rm -rf "$REGISTRY_CA_DIR"
}

print_env() {
  [[ -s "$RUNTIME_DIR/registry-password" ]] || die "not set up: run '$0 up' first"
  printf 'export DOCKER_HOST=%q\n' "unix://$SOCKET"
  printf 'export TEST_REGISTRY=%q\n' "$REGISTRY"
  printf 'export TEST_REGISTRY_USER=%q\n' "$REGISTRY_USER"
  printf 'export TEST_REGISTRY_PASSWORD=%q\n' "$(cat "$RUNTIME_DIR/registry-password")"
  printf 'export TEST_REGISTRY_CA=%q\n' "$RUNTIME_DIR/registry.crt" # for clients that bypass podman, e.g. curl
  printf 'export TEST_BASE_IMAGE=%q\n' "$BASE_IMAGE"
}

case "${1:-}" in
  up | down)
    [[ $EUID -eq 0 ]] || die "run as root: podman runs rootful here"
    # Test suites running side by side call `up` together: serialize them, or two debootstraps
    # write one tarball and two registries race for the port and the pid file.
    mkdir -p "$RUNTIME_DIR"
    exec {lock_fd}>"$RUNTIME_DIR/.lock"
    flock "$lock_fd"
    "$1"
    ;;
  env) print_env ;;
  *) die "usage: $0 up|down|env" ;;
esac
