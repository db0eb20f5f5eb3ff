import { DeployError } from '../errors';
import { formatDuration } from '../log';
import { describeNotHealthy } from '../fleet';
import type { ScaleTimeline } from './timeline';

/** The group and policy facts that explain why Auto Scaling did not (or could not) act. */
export interface GroupFacts {
  name: string;
  desiredCapacity: number;
  maxSize: number;
  suspendedProcesses: string[];
  /** Seconds a new instance is warming up (policy's estimated warmup or the group's default). */
  warmupSeconds: number | undefined;
}

export interface AlarmFacts {
  name: string;
  threshold: number;
  periodSeconds: number;
  datapointsToAlarm: number;
}

/** Processes without which an alarm cannot change the group's capacity. */
export const SCALE_OUT_PROCESSES = ['Launch', 'AlarmNotification'];

/** Why a scale-out cannot happen at all, before any load is sent; undefined when it can. */
export function upFrontRefusal(group: GroupFacts): DeployError | undefined {
  if (group.desiredCapacity >= group.maxSize) {
    return new DeployError(
      'at-max-capacity',
      `Auto Scaling group ${group.name} already runs at its max capacity (desired ${group.desiredCapacity}, max ${group.maxSize}): a scale-out cannot happen, so no load was sent.`,
      'Raise max_size (terraform variable max_size) or wait until the group has scaled in, then run the scale test again.',
    );
  }
  const suspended = group.suspendedProcesses.filter((process) => SCALE_OUT_PROCESSES.includes(process));
  if (suspended.length > 0) {
    return new DeployError(
      'scaling-suspended',
      `Auto Scaling group ${group.name} has ${suspended.join(' and ')} suspended: an alarm cannot launch instances, so no load was sent.`,
      `Resume them (aws autoscaling resume-processes --auto-scaling-group-name ${group.name} --scaling-processes ${suspended.join(' ')}) if nobody suspended them on purpose.`,
    );
  }
  return undefined;
}

function loadLines(timeline: ScaleTimeline): string {
  const invocations = timeline.latest?.invocations ?? [];
  return invocations
    .map((invocation) => {
      const stderr = invocation.stderr?.trim()
        ? `; stderr: ${invocation.stderr.trim().split('\n').slice(-3).join(' | ')}`
        : '';
      return `${invocation.instanceId} ${invocation.status}${stderr}`;
    })
    .join(', ');
}

/**
 * The failure for a scale test that ran out of time (or whose load never started), naming the
 * first milestone that did not happen and what was seen instead.
 */
export function explainFailure(
  timeline: ScaleTimeline,
  alarm: AlarmFacts,
  group: GroupFacts,
  elapsedMs: number,
): DeployError {
  const { milestones } = timeline;
  const waited = formatDuration(elapsedMs);
  if (timeline.loadFailedEverywhere()) {
    return new DeployError(
      'load-not-started',
      `The CPU load never ran: every Run Command invocation failed (${loadLines(timeline)}).`,
      'The instances must run the SSM agent with the AmazonSSMManagedInstanceCore policy (the bundled stack does) and be Online in Systems Manager > Fleet Manager.',
    );
  }
  if (milestones.alarmAt === undefined) {
    const peak = timeline.peakCpu === undefined ? 'no datapoint at all' : `${timeline.peakCpu.toFixed(1)}%`;
    return new DeployError(
      'alarm-not-fired',
      `The scale-out alarm ${alarm.name} never fired in ${waited}: peak group CPU ${peak}, target ${timeline.baseline.targetValue}% (the alarm needs ${alarm.datapointsToAlarm} datapoints of ${alarm.periodSeconds} s above ${alarm.threshold}). Load: ${loadLines(timeline) || 'no invocation seen'}.`,
      timeline.peakCpu === undefined
        ? 'No CPU datapoints arrived: enable detailed monitoring on the launch template (the bundled stack does) and check the metric in CloudWatch.'
        : 'The load was too weak or too short for the target: raise stress-workers-per-vcpu or stress-duration-seconds (and scale-test-timeout-minutes), or check the target value of the policy.',
    );
  }
  if (milestones.scaleOutAt === undefined) {
    return new DeployError(
      'no-scale-out',
      `The alarm fired ${formatDuration(milestones.alarmAt)} in, but the group did not scale out within ${waited}: ${whyNoScaleOut(timeline, group)}.`,
      'Read the scaling activities above (the console shows the same under Activity). Raise max_size, resume suspended processes, or wait out the warmup of the last scale-out.',
    );
  }
  const notHealthy = describeNotHealthy(
    (timeline.latest?.targets ?? []).filter((target) => target.state !== 'healthy'),
  );
  const failedActivity = timeline.latest?.activities.find((activity) => activity.statusCode === 'Failed');
  return new DeployError(
    'new-instances-not-serving',
    `The group scaled out (desired ${timeline.baseline.capacity} -> ${timeline.peakCapacity}) ${formatDuration(milestones.scaleOutAt)} in, but the new capacity did not serve within ${waited}.` +
      (failedActivity
        ? ` Launch failed: ${failedActivity.statusMessage ?? failedActivity.description}.`
        : '') +
      (notHealthy.length > 0
        ? `\nTargets not healthy:\n  ${notHealthy.join('\n  ')}`
        : '\nNo new instance was registered as a target.'),
    "The reason codes (and the new instances' app log, printed after this) say why they are not healthy; the same release serves on the old instances, so look at boot (user-data, image pull) and capacity (subnets, instance type quota).",
  );
}

function whyNoScaleOut(timeline: ScaleTimeline, group: GroupFacts): string {
  if (group.desiredCapacity >= group.maxSize) return `the group reached its max capacity ${group.maxSize}`;
  const suspended = group.suspendedProcesses.filter((process) => SCALE_OUT_PROCESSES.includes(process));
  if (suspended.length > 0) return `${suspended.join(' and ')} suspended on the group`;
  const activities = timeline.latest?.activities ?? [];
  const latest = activities[0];
  if (latest && group.warmupSeconds !== undefined) {
    return `an earlier scaling activity (${latest.description}) is within its ${group.warmupSeconds} s instance warmup, during which target tracking does not count the new instances' capacity again`;
  }
  if (latest)
    return `last scaling activity: ${latest.description}, ${latest.statusCode}${latest.statusMessage ? `: ${latest.statusMessage}` : ''}`;
  return 'Auto Scaling recorded no scaling activity at all';
}
