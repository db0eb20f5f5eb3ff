import type { AwsClients } from '../aws';
import { DeployError, errorMessage } from '../errors';
import { formatDuration, type Logger } from '../log';
import type { Clock } from '../clock';
import { poll, PollTimeoutError, type PollStep } from '../poll';
import { describeGroup, type GroupSnapshot } from '../rollout/group';
import { describeTargets } from '../rollout/targets';
import {
  activitiesSince,
  alarmState,
  cancelLoad,
  describeScaleOutAlarm,
  findTrackingPolicy,
  invocationsOf,
  metricSince,
  sendLoad,
  type ScaleOutAlarm,
  type TrackingPolicy,
} from './aws';
import {
  FINISHED_INVOCATION,
  renderTimeline,
  ScaleTimeline,
  type Milestones,
  type ScaleSample,
} from './timeline';
import { STRESS_DURATION_LIMITS, WORKERS_PER_VCPU_MAX, type ScaleTestSettings } from './settings';
import { explainFailure, upFrontRefusal, type GroupFacts } from './verdict';

export { scaleTestOutputs, scaleTestSummary } from './report';
export { STRESS_DURATION_LIMITS, WORKERS_PER_VCPU_MAX, type ScaleTestSettings };


export interface ScaleTestDependencies {
  clients: AwsClients;
  log: Logger;
  clock: Clock;
  /** Aborted when the job is cancelled: the load is stopped before the run ends. */
  signal?: AbortSignal;
}

/** Which stack to test: from the Terraform outputs, or a group named by the inputs. */
export interface ScaleTestTarget {
  asgName: string;
  /** Empty: the group's own target groups. */
  targetGroupArns: string[];
  /** Undefined: the group's only CPU target tracking policy. */
  policyName: string | undefined;
  /** Where the instances' app logs are (stack output app_log_group), for a failure's excerpt. */
  appLogGroup: string | undefined;
}

export interface ScaleTestResult {
  asgName: string;
  commandId: string | undefined;
  instanceIds: string[];
  policyName: string;
  alarmName: string;
  targetValue: number;
  capacityBefore: number;
  /** The most capacity the group asked for during the test. */
  capacityAfter: number;
  peakCpu: number | undefined;
  milestones: Milestones;
  timeline: string[];
  seconds: number;
}

/** A scale test that failed after it started: the error, plus what it saw, for outputs and summary. */
export class ScaleTestFailure extends DeployError {
  constructor(
    error: DeployError,
    readonly result: ScaleTestResult,
  ) {
    super(error.reason, error.message, error.nextSteps);
  }
}

interface Prepared {
  group: GroupSnapshot;
  targetGroupArns: string[];
  policy: TrackingPolicy;
  alarm: ScaleOutAlarm;
  instanceIds: string[];
}

function groupFacts(group: GroupSnapshot, policy: TrackingPolicy): GroupFacts {
  return {
    name: group.name,
    desiredCapacity: group.desiredCapacity,
    maxSize: group.maxSize,
    suspendedProcesses: group.suspendedProcesses,
    warmupSeconds: policy.estimatedWarmupSeconds ?? group.defaultInstanceWarmup,
  };
}

/** Reads the stack and refuses, before any load is sent, every test that cannot succeed. */
async function prepare(
  dependencies: ScaleTestDependencies,
  settings: ScaleTestSettings,
  target: ScaleTestTarget,
  region: string,
): Promise<Prepared> {
  const { clients, log } = dependencies;
  const group = await describeGroup(clients, region, target.asgName);
  const targetGroupArns = target.targetGroupArns.length > 0 ? target.targetGroupArns : group.targetGroupArns;
  const policy = await findTrackingPolicy(clients, group.name, target.policyName);
  const alarm = await describeScaleOutAlarm(clients, policy);
  const instanceIds = group.instances
    .filter((instance) => instance.lifecycleState === 'InService')
    .map((instance) => instance.instanceId);
  log.info(
    `group ${group.name}: desired ${group.desiredCapacity} (max ${group.maxSize}), ${instanceIds.length} in service; policy ${policy.name} targets ${policy.targetValue}% CPU; scale-out alarm ${alarm.name}: ${alarm.state}, ${alarm.datapointsToAlarm} datapoints of ${alarm.periodSeconds} s above ${alarm.threshold}`,
  );
  const refusal = upFrontRefusal(groupFacts(group, policy));
  if (refusal) throw refusal;
  if (!policy.enabled) {
    throw new DeployError(
      'scaling-policy-disabled',
      `Target tracking policy ${policy.name} of ${group.name} is disabled: its alarms cannot scale the group, so no load was sent.`,
      'Enable the policy (terraform apply of the bundled stack does) and run again.',
    );
  }
  if (instanceIds.length === 0) {
    throw new DeployError(
      'no-instances',
      `Auto Scaling group ${group.name} has no InService instance to load.`,
      'Deploy first, or wait for the group to launch its instances.',
    );
  }
  const evaluationSeconds = alarm.periodSeconds * alarm.datapointsToAlarm;
  if (settings.stressDurationSeconds < evaluationSeconds) {
    throw new DeployError(
      'load-too-short',
      `stress-duration-seconds ${settings.stressDurationSeconds} is shorter than the ${evaluationSeconds} s the alarm ${alarm.name} needs (${alarm.datapointsToAlarm} datapoints of ${alarm.periodSeconds} s) before it can fire; no load was sent.`,
      `Set stress-duration-seconds to at least ${evaluationSeconds * 2} to leave room for the scale-out.`,
    );
  }
  return { group, targetGroupArns, policy, alarm, instanceIds };
}

async function takeSample(
  dependencies: ScaleTestDependencies,
  prepared: Prepared,
  commandId: string,
  startedAt: number,
  region: string,
): Promise<{ sample: ScaleSample; group: GroupSnapshot }> {
  const { clients, clock } = dependencies;
  const since = new Date(startedAt);
  const [group, cpu, state, activities, targets, invocations] = await Promise.all([
    describeGroup(clients, region, prepared.group.name),
    metricSince(clients, prepared.alarm, since, new Date(clock.now())),
    alarmState(clients, prepared.alarm.name),
    activitiesSince(clients, prepared.group.name, since),
    describeTargets(clients, prepared.targetGroupArns),
    invocationsOf(clients, commandId, prepared.instanceIds),
  ]);
  const sample: ScaleSample = {
    at: clock.now() - startedAt,
    cpu,
    alarmState: state,
    desiredCapacity: group.desiredCapacity,
    inServiceIds: group.instances
      .filter((instance) => instance.lifecycleState === 'InService')
      .map((instance) => instance.instanceId),
    activities,
    targets,
    invocations,
  };
  return { sample, group };
}

/**
 * `scale-test`: loads every InService instance's CPU through SSM Run Command, watches the target
 * tracking alarm fire, the group scale out and the new instances turn healthy, and reports the
 * timeline. The load is cancelled as soon as the new capacity serves, and on every other way out.
 */
export async function runScaleTest(
  dependencies: ScaleTestDependencies,
  settings: ScaleTestSettings & { pollIntervalSeconds: number },
  target: ScaleTestTarget,
  region: string,
): Promise<ScaleTestResult> {
  const { clients, log, clock, signal } = dependencies;
  const prepared = await log.group('Scale test: read the stack', () =>
    prepare(dependencies, settings, target, region),
  );
  const { group, policy, alarm, instanceIds } = prepared;
  const timeline = new ScaleTimeline({
    capacity: group.desiredCapacity,
    instanceIds,
    targetGroupArns: prepared.targetGroupArns,
    targetValue: policy.targetValue,
    alarmName: alarm.name,
  });
  const startedAt = clock.now();
  const progress = (line: string): void => {
    log.info(`[${formatDuration(clock.now() - startedAt).padStart(6)}] ${line}`);
  };
  let commandId: string | undefined;
  let loadRunning = false;
  let lastGroup = group;
  const result = (): ScaleTestResult => ({
    asgName: group.name,
    commandId,
    instanceIds,
    policyName: policy.name,
    alarmName: alarm.name,
    targetValue: policy.targetValue,
    capacityBefore: group.desiredCapacity,
    capacityAfter: timeline.peakCapacity,
    peakCpu: timeline.peakCpu,
    milestones: timeline.milestones,
    timeline: renderTimeline(timeline),
    seconds: Math.round((clock.now() - startedAt) / 1000),
  });
  const stopLoad = async (why: string): Promise<void> => {
    if (!commandId || !loadRunning) return;
    loadRunning = false;
    try {
      await cancelLoad(clients, commandId);
      progress(`load stopped (${why}): cancelled command ${commandId}`);
    } catch (error) {
      log.error(
        `Could not cancel command ${commandId}: ${errorMessage(error)}. The burn still ends by itself after ${settings.stressDurationSeconds} s; cancel it in Systems Manager > Run Command to stop it now.`,
      );
    }
  };

  const watch = (what: string, until: () => boolean): Promise<void> =>
    poll(
      async (): Promise<PollStep<undefined>> => {
        if (!commandId) throw new Error('the load is sent before watching');
        const taken = await takeSample(dependencies, prepared, commandId, startedAt, region);
        lastGroup = taken.group;
        for (const line of timeline.observe(taken.sample)) progress(line);
        if (loadRunning && taken.sample.invocations.every((i) => FINISHED_INVOCATION.has(i.status))) {
          loadRunning = false;
        }
        if (timeline.loadFailedEverywhere()) {
          throw explainFailure(timeline, alarm, groupFacts(taken.group, policy), clock.now() - startedAt);
        }
        return until()
          ? { done: true, value: undefined }
          : { done: false, state: timeline.latest ? describeState(timeline) : 'no sample yet' };
      },
      {
        what,
        intervalMs: settings.pollIntervalSeconds * 1000,
        deadline: startedAt + settings.timeoutSeconds * 1000,
        clock,
        ...(signal ? { signal } : {}),
        onTransientError: (kind, message, nextInMs) => {
          log.warning(
            `AWS ${kind} error while waiting for ${what}: ${message}; retrying in ${formatDuration(nextInMs)}`,
          );
        },
      },
    );

  try {
    await log.group('Scale test: load and watch', async () => {
      commandId = await sendLoad(
        clients,
        instanceIds,
        settings.stressDurationSeconds,
        settings.workersPerVcpu,
      );
      loadRunning = true;
      progress(
        `sent AWS-RunShellScript command ${commandId} to ${instanceIds.join(', ')}: ${settings.workersPerVcpu} busy loop(s) per vCPU for ${settings.stressDurationSeconds} s`,
      );
      await watch('the new capacity to serve', () => timeline.milestones.servingAt !== undefined);
      await stopLoad('the new capacity serves');
    });
    if (settings.waitForScaleIn) {
      await log.group('Scale test: wait for scale-in', () =>
        watch('the group to scale back in', () => timeline.milestones.scaleInAt !== undefined),
      );
    }
  } catch (error) {
    await stopLoad(signal?.aborted ? 'the run was cancelled' : 'the test failed');
    if (error instanceof PollTimeoutError) {
      const failure =
        timeline.milestones.servingAt !== undefined
          ? new DeployError(
              'no-scale-in',
              `The new capacity served, but the group did not scale back in within ${formatDuration(settings.timeoutSeconds * 1000)}: desired capacity is still ${lastGroup.desiredCapacity}.`,
              'AWS scales in after 15 minutes below 90% of the target: raise scale-test-timeout-minutes, or run with wait-for-scale-in: false.',
            )
          : explainFailure(timeline, alarm, groupFacts(lastGroup, policy), clock.now() - startedAt);
      throw new ScaleTestFailure(failure, result());
    }
    if (error instanceof DeployError) throw new ScaleTestFailure(error, result());
    throw error;
  } finally {
    await stopLoad(signal?.aborted ? 'the run was cancelled' : 'the test ended');
  }
  const done = result();
  progress(
    `scale test done: capacity ${done.capacityBefore} -> ${done.capacityAfter}, peak CPU ${done.peakCpu?.toFixed(1) ?? '?'}%, ${formatDuration(done.seconds * 1000)}`,
  );
  return done;
}

function describeState(timeline: ScaleTimeline): string {
  const sample = timeline.latest;
  if (!sample) return 'no sample yet';
  return `CPU ${sample.cpu.latest?.toFixed(1) ?? 'no data'}%, alarm ${sample.alarmState}, desired ${sample.desiredCapacity}, ${sample.inServiceIds.length} in service`;
}
