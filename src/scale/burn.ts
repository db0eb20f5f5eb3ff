/**
 * The CPU load, as the shell script AWS-RunShellScript runs on each instance. It needs nothing
 * installed (sh, nproc and coreutils' timeout are on every Amazon Linux and Debian image) and ends
 * by itself three ways: each busy loop under `timeout`, the script's own `wait`, and the SSM
 * executionTimeout the command is sent with. Cancelling the command ends it sooner.
 */
export function burnScript(durationSeconds: number, workersPerVcpu: number): string {
  return [
    'set -u',
    `duration=${durationSeconds}`,
    `per_vcpu=${workersPerVcpu}`,
    'vcpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)',
    'workers=$((vcpus * per_vcpu))',
    'echo "ha-django-deploy scale-test: $workers busy loops ($per_vcpu per vCPU, $vcpus vCPUs) for ${duration}s"',
    'i=0',
    'while [ "$i" -lt "$workers" ]; do',
    '  timeout "$duration" sh -c "while :; do :; done" &',
    '  i=$((i + 1))',
    'done',
    'wait',
    'echo "ha-django-deploy scale-test: load ended"',
  ].join('\n');
}

/** SSM's own limit on the run: the burn plus a minute of slack, so even a stuck script is killed. */
export function executionTimeoutSeconds(durationSeconds: number): number {
  return durationSeconds + 60;
}
