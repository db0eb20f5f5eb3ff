"""Emulated EC2 instances that boot for real: the launch template version's own user-data, run
by bash on this machine with only what EC2 alone provides supplied by shims (see shims/):

- instance metadata (IMDSv2) from a per-instance server reached through `http_proxy`;
- `dnf` and `systemctl` as no-ops (docker is the machine's podman service);
- `docker` rewritten for `run` only (the instance's loopback address for port 80, a per-instance
  container name, podman's k8s-file log driver instead of awslogs, the instance type's CPU cap);
- `/etc` as a private overlay in the instance's own mount namespace, so what user-data writes
  there (/etc/app/app.env with the secrets) stays the instance's. A holder process keeps that
  namespace for the instance's life: the boot and every Run Command script (the host's SSM agent)
  enter it with nsenter, so they see the same /etc the user-data wrote;
- `systemctl enable --now X.timer` runs the unit's ExecStart every OnUnitActiveSec (shims/systemctl);
- the real AWS CLI, talking to this emulated region (AWS_ENDPOINT_URL), with role credentials
  from the metadata server: secrets come from the emulated SSM as on EC2.
The boot's output goes to `boot.log` in the instance's directory, as cloud-init-output.log would.
"""

import base64
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import moto

from .metadata import Identity, MetadataServer

SHIMS = Path(__file__).with_name("shims")
# Documented scale: one vCPU of the instance type is a quarter of one of this machine's CPUs, so a
# 2-vCPU t3.small gets `--cpus 0.5` and four instances fit on a 2-core machine with headroom.
HOST_CPUS_PER_VCPU = 0.25
BOOT_TIMEOUT_SECONDS = 300


def _vcpus_by_type() -> dict[str, int]:
    path = Path(moto.__file__).parent / "ec2/resources/instance_types.json.gz"
    with gzip.open(path) as file:
        return {name: info["VCpuInfo"]["DefaultVCpus"] for name, info in json.load(file).items()}


VCPUS = _vcpus_by_type()


def cpu_cap(instance_type: str) -> float:
    return round(VCPUS.get(instance_type, 2) * HOST_CPUS_PER_VCPU, 3)


@dataclass
class Instance:
    identity: Identity
    address: str  # the loopback address standing in for the private IP
    directory: Path
    container_name: str
    metadata: MetadataServer
    holder: subprocess.Popen | None = None  # keeps the instance's mount namespace (its /etc)
    boot: subprocess.Popen | None = None
    boot_exit_code: int | None = None
    stopping: bool = False
    stopped: bool = False
    container_id: str | None = None
    events: list[tuple[float, str]] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.directory / "container.log"

    def awslogs(self) -> dict[str, str] | None:
        try:
            return json.loads((self.directory / "awslogs.json").read_text())
        except FileNotFoundError:
            return None

    def note(self, event: str) -> None:
        self.events.append((time.time(), event))

    def describe(self) -> dict[str, object]:
        return {
            "instanceId": self.identity.instance_id,
            "address": self.address,
            "privateIp": self.identity.private_ip,
            "containerName": self.container_name,
            "cpus": cpu_cap(self.identity.instance_type),
            "bootExitCode": self.boot_exit_code,
            "stopped": self.stopped,
            "directory": str(self.directory),
            "events": [{"at": at, "event": event} for at, event in self.events],
        }


class InstanceRuntime:
    """Boots and stops instances; every container it starts carries the region's name prefix."""

    def __init__(self, workdir: Path, region_endpoint: str, name_prefix: str,
                 database_hosts: Path | None = None) -> None:
        self.workdir = workdir
        self.database_hosts = database_hosts
        self.region_endpoint = region_endpoint
        self.name_prefix = name_prefix
        self.real_docker = shutil.which("docker") or "docker"

    def _environment(self, instance: Instance) -> dict[str, str]:
        assert instance.holder is not None
        python_bin = str(Path(sys.executable).parent)  # the venv's real `aws`
        passed = {name: os.environ[name] for name in ("DOCKER_HOST", "DOCKER_CONFIG", "LANG") if name in os.environ}
        return {
            **passed,
            "PATH": f"{SHIMS}:{python_bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(instance.directory),
            "http_proxy": instance.metadata.proxy_url,
            "HTTP_PROXY": instance.metadata.proxy_url,
            # The region's API (AWS_ENDPOINT_URL) is on 127.0.0.1: straight there, not via the proxy.
            "no_proxy": "127.0.0.1,localhost",
            "NO_PROXY": "127.0.0.1,localhost",
            "AWS_ENDPOINT_URL": self.region_endpoint,
            "AWS_EC2_METADATA_DISABLED": "false",
            "HA_REAL_DOCKER": self.real_docker,
            "HA_INSTANCE_DIR": str(instance.directory),
            "HA_INSTANCE_ID": instance.identity.instance_id,
            "HA_INSTANCE_IP": instance.address,
            "HA_CONTAINER_NAME": instance.container_name,
            "HA_LOG_FILE": str(instance.log_file),
            "HA_CPUS": str(cpu_cap(instance.identity.instance_type)),
            # Timers (shims/systemctl) run while the instance's host does, and no longer.
            "HA_HOST_PID": str(instance.holder.pid),
            # The VPC's DNS names of the region's databases (shims/docker passes them to containers).
            "HA_DATABASE_HOSTS": str(self.database_hosts or ""),
        }

    def boot(self, identity: Identity, address: str, user_data_b64: str | None) -> Instance:
        directory = self.workdir / identity.instance_id
        (directory / "etc-upper").mkdir(parents=True, exist_ok=True)
        (directory / "etc-work").mkdir(exist_ok=True)
        instance = Instance(identity, address, directory, f"{self.name_prefix}-{identity.instance_id}",
                            MetadataServer(address, identity))
        script = directory / "user-data"
        script.write_bytes(base64.b64decode(user_data_b64) if user_data_b64 else b"#!/bin/bash\n")
        instance.holder = self._hold_namespace(directory)
        with open(directory / "boot.log", "wb") as log:
            instance.boot = subprocess.Popen(
                [*self._enter(instance), "timeout", str(BOOT_TIMEOUT_SECONDS), "bash", str(script)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=directory,
                env=self._environment(instance), start_new_session=True,
            )
        instance.note("booting: running the launch template version's user-data")
        threading.Thread(target=self._await_boot, args=(instance,), daemon=True,
                         name=f"boot-{identity.instance_id}").start()
        return instance

    @staticmethod
    def _hold_namespace(directory: Path) -> subprocess.Popen:
        """The instance's host: a private mount namespace with /etc overlaid, held by a process that
        ends with this region (tail --pid; its output is not the pipe, which tail would follow to its close), so nothing of the instance outlives a killed server."""
        mount_private_etc = (
            'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/etc-upper,workdir=$1/etc-work" /etc'
            ' && echo mounted && exec tail -f /dev/null --pid "$2" >/dev/null'
        )
        holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount_private_etc, "host",
             str(directory), str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        assert holder.stdout is not None
        # Once it printed, /etc is overlaid; if it could not, the boot's nsenter fails and its exit
        # code (bootExitCode) says so.
        holder.stdout.readline()
        holder.stdout.close()
        return holder

    @staticmethod
    def _enter(instance: Instance) -> list[str]:
        assert instance.holder is not None
        return ["nsenter", f"--mount=/proc/{instance.holder.pid}/ns/mnt", "--"]

    def host_command(self, instance: Instance, script: str, extra_env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
        """How a Run Command script starts on the instance's host, as the SSM agent runs it: as root,
        with `sh`, in the instance's /etc and with its docker, metadata and AWS CLI."""
        return [*self._enter(instance), "sh", "-c", script], {**self._environment(instance), **extra_env}

    def cpu_cgroups(self, instance: Instance) -> list[str]:
        """The `cgroup.procs` files of the instance's CPU (its app container's cpu and cpuacct
        cgroups, see ../cpu.py), once the container exists: what runs on the host counts there."""
        container_id = self.container_id(instance)
        if not container_id:
            return []
        found = [f"/sys/fs/cgroup/{controller}/libpod_parent/libpod-{container_id}/cgroup.procs"
                 for controller in ("cpu", "cpuacct")]
        return [path for path in found if os.path.exists(path)]

    @staticmethod
    def _await_boot(instance: Instance) -> None:
        assert instance.boot is not None
        instance.boot_exit_code = instance.boot.wait()
        instance.note(f"user-data exited {instance.boot_exit_code}")

    def _docker(self, *args: str, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run([self.real_docker, *args], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ})

    def stop(self, instance: Instance, graceful: bool = True) -> None:
        """`docker stop` (SIGTERM, then SIGKILL after the container's stop timeout), then removal,
        as terminating an EC2 instance stops its Docker daemon's containers."""
        if instance.stopping:
            return
        instance.stopping = True
        if instance.boot:
            # The whole boot (its own session): a `docker run` it started, and the timers it enabled
            # (shims/systemctl), which outlive the user-data, must not outlive the instance.
            try:
                os.killpg(instance.boot.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            instance.boot.wait()
        if instance.holder:
            instance.holder.kill()
            instance.holder.wait()
        try:
            if graceful:
                instance.note("docker stop")
                self._docker("stop", instance.container_name, timeout=60)
            self._docker("rm", "--force", instance.container_name, timeout=60)
        except subprocess.TimeoutExpired:
            instance.note("docker stop timed out")
        instance.metadata.close()
        instance.stopped = True
        instance.note("stopped")

    def container_id(self, instance: Instance) -> str | None:
        """The container's full id (its cgroup's name), asked once the boot has ended (its `docker
        run` is the user-data's last step) and remembered, found or not: callers hold the region's
        lock, and a loaded machine's podman takes seconds to answer."""
        if instance.container_id is None and instance.boot_exit_code is not None:
            found = self._docker("inspect", "--format", "{{.Id}}", instance.container_name, timeout=30)
            instance.container_id = found.stdout.strip() if found.returncode == 0 else ""
        return instance.container_id or None

    def remove_leftovers(self) -> None:
        """Containers of this region that outlived it (a crash): found by name prefix."""
        found = self._docker("ps", "--all", "--quiet", "--filter", f"name=^{self.name_prefix}-", timeout=60)
        ids = found.stdout.split()
        if ids:
            self._docker("rm", "--force", *ids, timeout=120)
