/**
 * The CPU load, as the shell script AWS-RunShellScript runs on each instance. It needs nothing
 * but a POSIX sh and `date` (no coreutils `timeout`, no stress tool), and every busy loop stays in
 * the script's process group: the SSM agent ends a cancelled or timed-out command by killing that
 * group and nothing else (amazon-ssm-agent, agent/executers/executers_unix.go), so a loop under
 * GNU `timeout` (which moves itself into a new group unless --foreground) would outlive the cancel.
 *
 * It ends by itself three ways: each loop checks its own deadline, the script waits for them, and
 * the SSM executionTimeout the command is sent with kills the group. CancelCommand ends it sooner.
 */

/** Shell arithmetic steps between two looks at the clock: a fraction of a second of CPU. */
const STEPS_PER_CLOCK_CHECK = 20000;

export function burnScript(durationSeconds: number, workersPerVcpu: number): string {
  const busyLoop =
    'while [ "$(date +%s)" -lt "$deadline" ]; do ' +
    `n=0; while [ "$n" -lt ${STEPS_PER_CLOCK_CHECK} ]; do n=$((n + 1)); done; done`;
  return [
    'set -u',
    `duration=${durationSeconds}`,
    `per_vcpu=${workersPerVcpu}`,
    'vcpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)',
    'workers=$((vcpus * per_vcpu))',
    'deadline=$(( $(date +%s) + duration ))',
    'echo "ha-django-deploy scale-test: $workers busy loops ($per_vcpu per vCPU, $vcpus vCPUs) for ${duration}s"',
    'i=0',
    'while [ "$i" -lt "$workers" ]; do',
    `  ( ${busyLoop} ) &`,
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
