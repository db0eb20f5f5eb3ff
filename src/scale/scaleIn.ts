import { DeployError } from '../errors';
import { formatDuration } from '../log';
import type { AlarmFacts } from './verdict';

/** What decides whether `wait-for-scale-in` can succeed, all read from AWS before any load. */
export interface ScaleInFacts {
  policyName: string;
  /** The policy's DisableScaleIn. */
  scaleInDisabled: boolean;
  /** The alarm that scales out, and the one that scales in (undefined: the policy has none). */
  high: AlarmFacts;
  low: AlarmFacts | undefined;
  /**
   * Seconds from the scale-out to a new instance counted as capacity: the policy's estimated
   * warmup, else the group's default warmup, else its health check grace period. Target tracking
   * does not scale in while instances warm up.
   */
  launchAndHealthSeconds: number;
  timeoutSeconds: number;
}

function evaluationSeconds(alarm: AlarmFacts): number {
  return alarm.periodSeconds * alarm.datapointsToAlarm;
}

function describeEvaluation(alarm: AlarmFacts): string {
  return `${alarm.name}: ${alarm.datapointsToAlarm} datapoints of ${alarm.periodSeconds} s = ${evaluationSeconds(alarm)} s`;
}

/**
 * The least a scale-out and the scale-in after it take: the high alarm's evaluation, launch and
 * health, then (the load stopped) the low alarm's evaluation, from each alarm's own period.
 */
export function secondsToScaleIn(facts: ScaleInFacts & { low: AlarmFacts }): number {
  return evaluationSeconds(facts.high) + facts.launchAndHealthSeconds + evaluationSeconds(facts.low);
}

/** `invalid-input` for a wait-for-scale-in that cannot succeed; undefined when it can. */
export function scaleInRefusal(facts: ScaleInFacts): DeployError | undefined {
  const refuse = (message: string, nextSteps: string): DeployError =>
    new DeployError('invalid-input', `${message} No load was sent.`, nextSteps);
  if (facts.scaleInDisabled) {
    return refuse(
      `wait-for-scale-in: true, but target tracking policy ${facts.policyName} has DisableScaleIn: it never removes instances, so the group cannot scale back in.`,
      'Set wait-for-scale-in: false, or enable scale-in on the policy (DisableScaleIn: false).',
    );
  }
  const { low } = facts;
  if (!low) {
    return refuse(
      `wait-for-scale-in: true, but target tracking policy ${facts.policyName} has no alarm that fires on low values, so nothing can scale the group back in.`,
      'Set wait-for-scale-in: false, or recreate the policy so AWS recreates its alarms.',
    );
  }
  const needed = secondsToScaleIn({ ...facts, low });
  if (facts.timeoutSeconds >= needed) return undefined;
  return refuse(
    `wait-for-scale-in: true, but scale-test-timeout-minutes (${formatDuration(facts.timeoutSeconds * 1000)}) cannot hold a scale-out and the scale-in after it: the scale-out alarm ${describeEvaluation(facts.high)}, launch and health ${facts.launchAndHealthSeconds} s (instance warmup), then the scale-in alarm ${describeEvaluation(low)}: at least ${needed} s (${formatDuration(needed * 1000)}).`,
    `Set scale-test-timeout-minutes to at least ${Math.ceil(needed / 60)}, or wait-for-scale-in: false.`,
  );
}
