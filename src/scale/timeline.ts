import { formatDuration } from '../log';
import { evaluateTargets, type TargetState } from '../fleet';

/** One SSM Run Command invocation of the burn, as GetCommandInvocation reports it. */
export interface Invocation {
  instanceId: string;
  /** Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed, Cancelling, Undeliverable... */
  status: string;
  /** AWS's StatusDetails, and the script's stderr when it failed. */
  detail: string | undefined;
  stderr: string | undefined;
}

export interface ScalingActivity {
  id: string;
  description: string;
  cause: string;
  statusCode: string;
  statusMessage: string | undefined;
  startTime: number;
}

/** Everything one poll of the scale test saw. */
export interface ScaleSample {
  /** Milliseconds since the load was sent. */
  at: number;
  /** Newest datapoint of the alarm's metric and the highest one since the load started (percent). */
  cpu: { latest: number | undefined; peak: number | undefined };
  alarmState: string;
  desiredCapacity: number;
  inServiceIds: string[];
  /** Activities that started after the test began, newest first (as AWS lists them). */
  activities: ScalingActivity[];
  targets: TargetState[];
  invocations: Invocation[];
}

export interface Baseline {
  capacity: number;
  instanceIds: string[];
  targetGroupArns: string[];
  targetValue: number;
  alarmName: string;
}

export interface Milestones {
  alarmAt: number | undefined;
  scaleOutAt: number | undefined;
  servingAt: number | undefined;
  scaleInAt: number | undefined;
}

/** Invocation statuses after which the burn no longer runs on that instance. */
export const FINISHED_INVOCATION = new Set([
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Undeliverable',
  'Terminated',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
  'InvalidPlatform',
  'AccessDenied',
]);
const FAILED_INVOCATION = new Set([
  'Failed',
  'Undeliverable',
  'DeliveryTimedOut',
  'InvalidPlatform',
  'AccessDenied',
]);

function percent(value: number | undefined): string {
  return value === undefined ? 'no data' : `${value.toFixed(1)}%`;
}

/**
 * The scale test's memory: what was seen so far, the milestones (alarm, scale-out decision, new
 * capacity serving, scale-in) and the lines worth a person's attention. Pure: samples in, lines out.
 */
export class ScaleTimeline {
  readonly milestones: Milestones = {
    alarmAt: undefined,
    scaleOutAt: undefined,
    servingAt: undefined,
    scaleInAt: undefined,
  };
  readonly events: { at: number; text: string }[] = [];
  peakCpu: number | undefined;
  peakCapacity: number;
  latest: ScaleSample | undefined;
  private readonly seen = new Map<string, string>();

  constructor(readonly baseline: Baseline) {
    this.peakCapacity = baseline.capacity;
  }

  /** Records a sample; returns one line per thing that changed since the last one. */
  observe(sample: ScaleSample): string[] {
    const lines: string[] = [];
    const note = (key: string, value: string, line: string, milestone = false): void => {
      if (this.seen.get(key) === value) return;
      this.seen.set(key, value);
      lines.push(line);
      if (milestone) this.events.push({ at: sample.at, text: line });
    };
    for (const invocation of sample.invocations) {
      const detail =
        invocation.detail && invocation.detail !== invocation.status ? ` (${invocation.detail})` : '';
      note(
        `invocation ${invocation.instanceId}`,
        invocation.status,
        `load on ${invocation.instanceId}: ${invocation.status}${detail}`,
      );
    }
    if (sample.cpu.peak !== undefined) this.peakCpu = Math.max(this.peakCpu ?? 0, sample.cpu.peak);
    note(
      'cpu',
      percent(sample.cpu.latest),
      `group CPU ${percent(sample.cpu.latest)} (target ${this.baseline.targetValue}%, peak ${percent(this.peakCpu)})`,
    );
    const firstAlarm = sample.alarmState === 'ALARM' && this.milestones.alarmAt === undefined;
    if (firstAlarm) this.milestones.alarmAt = sample.at;
    note('alarm', sample.alarmState, `alarm ${this.baseline.alarmName}: ${sample.alarmState}`, firstAlarm);
    for (const activity of [...sample.activities].reverse()) {
      note(
        `activity ${activity.id}`,
        activity.statusCode,
        `scaling activity ${activity.statusCode}: ${activity.description}${activity.statusMessage ? ` (${activity.statusMessage})` : ''}`,
        true,
      );
    }
    this.peakCapacity = Math.max(this.peakCapacity, sample.desiredCapacity);
    const scaledOut =
      sample.desiredCapacity > this.baseline.capacity && this.milestones.scaleOutAt === undefined;
    if (scaledOut) this.milestones.scaleOutAt = sample.at;
    note(
      'desired',
      String(sample.desiredCapacity),
      `desired capacity ${sample.desiredCapacity} (was ${this.baseline.capacity}), ${sample.inServiceIds.length} in service`,
      scaledOut,
    );
    for (const target of sample.targets) {
      const state = target.reason ? `${target.state} (${target.reason})` : target.state;
      note(`target ${target.targetGroupArn} ${target.id}`, state, `target ${target.id}: ${state}`);
    }
    if (this.milestones.servingAt === undefined && this.newCapacityServes(sample)) {
      this.milestones.servingAt = sample.at;
      const line = `new capacity serves: ${this.newInstanceIds(sample).join(', ')} healthy, ${sample.desiredCapacity} targets`;
      lines.push(line);
      this.events.push({ at: sample.at, text: line });
    }
    if (
      this.milestones.servingAt !== undefined &&
      this.milestones.scaleInAt === undefined &&
      sample.desiredCapacity < this.peakCapacity
    ) {
      this.milestones.scaleInAt = sample.at;
      this.events.push({
        at: sample.at,
        text: `scaled in: desired ${this.peakCapacity} -> ${sample.desiredCapacity}`,
      });
    }
    this.latest = sample;
    return lines;
  }

  newInstanceIds(sample: ScaleSample): string[] {
    const before = new Set(this.baseline.instanceIds);
    return sample.inServiceIds.filter((id) => !before.has(id));
  }

  /** More instances than before, every one of them a healthy target in every target group. */
  newCapacityServes(sample: ScaleSample): boolean {
    const fresh = this.newInstanceIds(sample);
    if (sample.desiredCapacity <= this.baseline.capacity || fresh.length === 0) return false;
    const inService = new Set(sample.inServiceIds);
    const verdict = evaluateTargets(sample.targets, {
      targetGroupArns: this.baseline.targetGroupArns,
      groupInstanceIds: inService,
      upToDateInstanceIds: inService,
      required: sample.desiredCapacity,
    });
    const healthy = (id: string): boolean =>
      this.baseline.targetGroupArns.every((arn) =>
        sample.targets.some((t) => t.targetGroupArn === arn && t.id === id && t.state === 'healthy'),
      );
    return verdict.ready && fresh.every(healthy);
  }

  /** True once every invocation failed outright: no instance is being loaded, so waiting is pointless. */
  loadFailedEverywhere(): boolean {
    const invocations = this.latest?.invocations ?? [];
    return (
      invocations.length > 0 && invocations.every((invocation) => FAILED_INVOCATION.has(invocation.status))
    );
  }
}

/** `[  2m05s] alarm ...` lines for the job summary: the milestones and scaling activities only. */
export function renderTimeline(timeline: ScaleTimeline): string[] {
  return [
    `[${formatDuration(0).padStart(6)}] load sent to ${timeline.baseline.instanceIds.length} instances, capacity ${timeline.baseline.capacity}`,
    ...timeline.events.map((event) => `[${formatDuration(event.at).padStart(6)}] ${event.text}`),
  ];
}
