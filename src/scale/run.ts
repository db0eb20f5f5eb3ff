import { DeployError, errorMessage } from '../errors';
import { describeGroup, describeTargets, type GroupSnapshot } from '../fleet';
import { formatDuration } from '../log';
import { PollTimeoutError, type PollStep } from '../poll';
import { startRunClock, type RunClock } from '../runClock';
import {
  activitiesSince,
  alarmState,
  cancelLoad,
  describePolicyAlarms,
  findTrackingPolicy,
  invocationsOf,
  metricSince,
  sendLoad,
  type ScaleOutAlarm,
  type TrackingPolicy,
} from './aws';
import type { ScaleTestSettings } from './settings';
import { FINISHED_INVOCATION, renderTimeline, ScaleTimeline, type ScaleSample } from './timeline';
import {
  ScaleTestFailure,
  type ScaleTestDependencies,
  type ScaleTestResult,
  type ScaleTestTarget,
} from './types';
import { scaleInRefusal } from './scaleIn';
import { explainFailure, upFrontRefusal, type GroupFacts } from './verdict';

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
  const alarms = await describePolicyAlarms(clients, policy);
  const alarm = alarms.high;
  const instanceIds = group.instances
    .filter((instance) => instance.lifecycleState === 'InService')
    .map((instance) => instance.instanceId);
  log.info(
    `group ${group.name}: desired ${group.desiredCapacity} (max ${group.maxSize}), ${instanceIds.length} in service; policy ${policy.name} targets ${policy.targetValue}% CPU; scale-out alarm ${alarm.name}: ${alarm.state}, ${alarm.datapointsToAlarm} datapoints of ${alarm.periodSeconds} s above ${alarm.threshold}`,
  );
  const refusal =
    upFrontRefusal(groupFacts(group, policy)) ??
    (settings.waitForScaleIn
      ? scaleInRefusal({
          policyName: policy.name,
          scaleInDisabled: policy.scaleInDisabled,
          high: alarm,
          low: alarms.low,
          launchAndHealthSeconds:
            policy.estimatedWarmupSeconds ?? group.defaultInstanceWarmup ?? group.healthCheckGracePeriod ?? 0,
          timeoutSeconds: settings.timeoutSeconds,
        })
      : undefined);
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
  { dependencies, prepared, region, clock: { startedAt } }: ScaleRun,
  commandId: string,
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

/** One scale test under way: what it has seen, and the load it sent until that is stopped. */
interface ScaleRun {
  dependencies: ScaleTestDependencies;
  settings: ScaleTestRunSettings;
  prepared: Prepared;
  region: string;
  timeline: ScaleTimeline;
  clock: RunClock;
  commandId: string | undefined;
  loadRunning: boolean;
  /** The group as last described: what a timeout reports. */
  lastGroup: GroupSnapshot;
}

type ScaleTestRunSettings = ScaleTestSettings & { pollIntervalSeconds: number };

function startRun(
  dependencies: ScaleTestDependencies,
  settings: ScaleTestRunSettings,
  prepared: Prepared,
  region: string,
): ScaleRun {
  const { group, policy, alarm, instanceIds } = prepared;
  const timeline = new ScaleTimeline({
    capacity: group.desiredCapacity,
    instanceIds,
    targetGroupArns: prepared.targetGroupArns,
    targetValue: policy.targetValue,
    alarmName: alarm.name,
  });
  const clock = startRunClock(dependencies, {
    intervalSeconds: settings.pollIntervalSeconds,
    timeoutSeconds: settings.timeoutSeconds,
  });
  return {
    dependencies,
    settings,
    prepared,
    region,
    timeline,
    clock,
    commandId: undefined,
    loadRunning: false,
    lastGroup: group,
  };
}

function resultOf({ prepared, timeline, commandId, clock, dependencies }: ScaleRun): ScaleTestResult {
  const { group, policy, alarm, instanceIds } = prepared;
  return {
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
    seconds: Math.round((dependencies.clock.now() - clock.startedAt) / 1000),
  };
}

async function sendLoadTo(run: ScaleRun): Promise<void> {
  const { settings, prepared } = run;
  const commandId = await sendLoad(
    run.dependencies.clients,
    prepared.instanceIds,
    settings.stressDurationSeconds,
    settings.workersPerVcpu,
  );
  run.commandId = commandId;
  run.loadRunning = true;
  run.clock.progress(
    `sent AWS-RunShellScript command ${commandId} to ${prepared.instanceIds.join(', ')}: ${settings.workersPerVcpu} busy loop(s) per vCPU for ${settings.stressDurationSeconds} s`,
  );
}

async function stopLoad(run: ScaleRun, why: string): Promise<void> {
  const { commandId } = run;
  if (!commandId || !run.loadRunning) return;
  run.loadRunning = false;
  try {
    await cancelLoad(run.dependencies.clients, commandId);
    run.clock.progress(`load stopped (${why}): cancelled command ${commandId}`);
  } catch (error) {
    run.dependencies.log.error(
      `Could not cancel command ${commandId}: ${errorMessage(error)}. The burn still ends by itself after ${run.settings.stressDurationSeconds} s; cancel it in Systems Manager > Run Command to stop it now.`,
    );
  }
}

/** Samples the stack every poll until `until` holds; fails as soon as the load failed everywhere. */
function watch(run: ScaleRun, what: string, until: () => boolean): Promise<void> {
  const { timeline, prepared, dependencies } = run;
  return run.clock.poll(what, async (): Promise<PollStep<undefined>> => {
    if (!run.commandId) throw new Error('the load is sent before watching');
    const taken = await takeSample(run, run.commandId);
    run.lastGroup = taken.group;
    for (const line of timeline.observe(taken.sample)) run.clock.progress(line);
    if (run.loadRunning && taken.sample.invocations.every((i) => FINISHED_INVOCATION.has(i.status))) {
      run.loadRunning = false;
    }
    if (timeline.loadFailedEverywhere()) {
      const elapsed = dependencies.clock.now() - run.clock.startedAt;
      throw explainFailure(timeline, prepared.alarm, groupFacts(taken.group, prepared.policy), elapsed);
    }
    return until()
      ? { done: true, value: undefined }
      : { done: false, state: timeline.latest ? describeState(timeline) : 'no sample yet' };
  });
}

/** Why the test failed, with what it saw: a wait that ran out is explained from the timeline. */
function failureOf(run: ScaleRun, error: unknown): unknown {
  const { timeline, prepared, settings, lastGroup, dependencies } = run;
  if (error instanceof PollTimeoutError) {
    const failure =
      timeline.milestones.servingAt !== undefined
        ? new DeployError(
            'no-scale-in',
            `The new capacity served, but the group did not scale back in within ${formatDuration(settings.timeoutSeconds * 1000)}: desired capacity is still ${lastGroup.desiredCapacity}.`,
            'AWS scales in after 15 minutes below 90% of the target: raise scale-test-timeout-minutes, or run with wait-for-scale-in: false.',
          )
        : explainFailure(
            timeline,
            prepared.alarm,
            groupFacts(lastGroup, prepared.policy),
            dependencies.clock.now() - run.clock.startedAt,
          );
    return new ScaleTestFailure(failure, resultOf(run));
  }
  if (error instanceof DeployError) return new ScaleTestFailure(error, resultOf(run));
  return error;
}

/**
 * `scale-test`: loads every InService instance's CPU through SSM Run Command, watches the target
 * tracking alarm fire, the group scale out and the new instances turn healthy, and reports the
 * timeline. The load is cancelled as soon as the new capacity serves, and on every other way out.
 */
export async function runScaleTest(
  dependencies: ScaleTestDependencies,
  settings: ScaleTestRunSettings,
  target: ScaleTestTarget,
  region: string,
): Promise<ScaleTestResult> {
  const { log, signal } = dependencies;
  const prepared = await log.group('Scale test: read the stack', () =>
    prepare(dependencies, settings, target, region),
  );
  const run = startRun(dependencies, settings, prepared, region);
  const { milestones } = run.timeline;
  try {
    await log.group('Scale test: load and watch', async () => {
      await sendLoadTo(run);
      await watch(run, 'the new capacity to serve', () => milestones.servingAt !== undefined);
      await stopLoad(run, 'the new capacity serves');
    });
    if (settings.waitForScaleIn) {
      await log.group('Scale test: wait for scale-in', () =>
        watch(run, 'the group to scale back in', () => milestones.scaleInAt !== undefined),
      );
    }
  } catch (error) {
    await stopLoad(run, signal?.aborted ? 'the run was cancelled' : 'the test failed');
    throw failureOf(run, error);
  } finally {
    await stopLoad(run, signal?.aborted ? 'the run was cancelled' : 'the test ended');
  }
  const done = resultOf(run);
  run.clock.progress(
    `scale test done: capacity ${done.capacityBefore} -> ${done.capacityAfter}, peak CPU ${done.peakCpu?.toFixed(1) ?? '?'}%, ${formatDuration(done.seconds * 1000)}`,
  );
  return done;
}

function describeState(timeline: ScaleTimeline): string {
  const sample = timeline.latest;
  if (!sample) return 'no sample yet';
  return `CPU ${sample.cpu.latest?.toFixed(1) ?? 'no data'}%, alarm ${sample.alarmState}, desired ${sample.desiredCapacity}, ${sample.inServiceIds.length} in service`;
}
