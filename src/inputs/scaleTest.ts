/** The scale test's inputs: how hard and how long to load the fleet, and how long to watch. */

import { STRESS_DURATION_LIMITS, WORKERS_PER_VCPU_MAX, type ScaleTestSettings } from '../scale/settings';
import type { InputParser } from './parser';

export function parseScaleTest(inputs: InputParser): ScaleTestSettings {
  const stressDurationSeconds = inputs.integer(
    'stress-duration-seconds',
    STRESS_DURATION_LIMITS.min,
    STRESS_DURATION_LIMITS.max,
  );
  const workersPerVcpu = inputs.integer('stress-workers-per-vcpu', 1, WORKERS_PER_VCPU_MAX);
  const timeoutMinutes = inputs.positiveNumber('scale-test-timeout-minutes', 240, 'minutes');
  if (
    inputs.isValid('stress-duration-seconds', 'scale-test-timeout-minutes') &&
    stressDurationSeconds > timeoutMinutes * 60
  ) {
    inputs.problem(
      'stress-duration-seconds',
      String(stressDurationSeconds),
      `must not outlast scale-test-timeout-minutes (${timeoutMinutes} min = ${Math.round(timeoutMinutes * 60)} s): the test stops the load at its deadline`,
    );
  }
  return {
    stressDurationSeconds,
    workersPerVcpu,
    timeoutSeconds: Math.round(timeoutMinutes * 60),
    waitForScaleIn: inputs.boolean('wait-for-scale-in'),
  };
}
