import type { FailureDescription } from './description';

/** Scale test. */
export const SCALE_TEST_FAILURES = {
  'no-instances': {
    meaning: 'scale-test: the group has no InService instance to load; no load was sent',
    whatToDo: 'Deploy first, or wait for the group to launch its instances.',
    showsAppLog: false,
  },
  'at-max-capacity': {
    meaning: 'scale-test: the group already runs at max capacity; no load was sent',
    whatToDo: 'Raise `max_size`, or wait for a scale-in.',
    showsAppLog: false,
  },
  'scaling-suspended': {
    meaning: 'scale-test: `Launch` or `AlarmNotification` is suspended on the group; no load was sent',
    whatToDo: 'Resume the processes, if nobody suspended them on purpose.',
    showsAppLog: false,
  },
  'scaling-policy-disabled': {
    meaning: 'scale-test: the target tracking policy is disabled; no load was sent',
    whatToDo: 'Enable the policy (terraform apply of the bundled stack does).',
    showsAppLog: false,
  },
  'no-cpu-scaling-policy': {
    meaning: 'scale-test: the group has no single CPU target tracking policy',
    whatToDo: 'Keep exactly one `ASGAverageCPUUtilization` target tracking policy on the group.',
    showsAppLog: false,
  },
  'no-policy-alarms': {
    meaning: "scale-test: the policy's AWS-created alarms are gone, or none fires on high values",
    whatToDo: 'Recreate the policy so AWS recreates its alarms.',
    showsAppLog: false,
  },
  'load-too-short': {
    meaning:
      'scale-test: `stress-duration-seconds` is shorter than the high alarm needs to fire; no load was sent',
    whatToDo: 'Lengthen the load.',
    showsAppLog: false,
  },
  'load-not-started': {
    meaning: 'scale-test: every Run Command invocation failed',
    whatToDo: "Check the SSM agent and the instances' Fleet Manager status.",
    showsAppLog: false,
  },
  'alarm-not-fired': {
    meaning: 'scale-test: the alarm never fired; the message gives the peak CPU against the target',
    whatToDo: 'Use more `stress-workers-per-vcpu` or a longer load.',
    showsAppLog: false,
  },
  'no-scale-out': {
    meaning:
      'scale-test: the alarm fired, the group did not scale; the message says why (max capacity, suspended processes, warmup, last activity)',
    whatToDo: 'Act on the reason.',
    showsAppLog: false,
  },
  'new-instances-not-serving': {
    meaning:
      'scale-test: the group scaled out, the new instances never turned healthy; their reason codes are listed',
    whatToDo: 'Read the reason codes and their app log: boot, image pull, capacity.',
    showsAppLog: true,
  },
  'no-scale-in': {
    meaning: 'scale-test with `wait-for-scale-in`: the group did not scale back in within the timeout',
    whatToDo: 'Raise `scale-test-timeout-minutes`, or set `wait-for-scale-in: false`.',
    showsAppLog: false,
  },
  cancelled: {
    meaning: 'scale-test: the job was cancelled (SIGINT/SIGTERM) during the test; the load was stopped',
    whatToDo: 'Run the scale test again when ready.',
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
