import { InstanceRefreshInProgressFault } from '@aws-sdk/client-auto-scaling';
import { DeployError } from '../errors';
import type { RolloutContext } from './rolloutContext';
import { describeGroup, describeNotHealthy, isGroupOnVersion, type GroupSnapshot } from '../fleet';
import type { InspectedGroup } from './inspect';
import { instancesByVersion, requiredHealthy, type Observer } from './observer';
import { refreshFailure } from './outcome';
import { createSuccessBound, refreshWarmupSeconds } from './pacing';
import {
  cancelRefresh,
  findActiveRefresh,
  isRollingForward,
  startRefresh,
  waitForRefreshEnd,
  type RefreshState,
} from './refresh';
import { createReleaseStopper, failStoppedRelease } from './stopRelease';
import type { WaitGuard } from './timeout';
import { watchRefresh } from './watch';
import { alarmFailure, checkRollbackAlarms, createAlarmWatch, rollbackAlarmNames } from './alarms';
import { createTimelineRecorder } from '../timeline';

export interface RefreshOutcome {
  /** Undefined when the group already ran the target version and no refresh was needed. */
  id: string | undefined;
  status: string;
}

/** A refresh someone else started: fail, or wait for it (cancelling it first if asked and safe). */
async function settleRefreshInProgress(
  context: RolloutContext,
  asgName: string,
  active: RefreshState,
): Promise<void> {
  const policy = context.settings.onRefreshInProgress;
  context.progress(
    `refresh ${active.id} is already ${active.status} on ${asgName} (${active.percentageComplete}% complete); on-refresh-in-progress: ${policy}`,
  );
  if (policy === 'fail') {
    throw new DeployError(
      'refresh-in-progress',
      `Instance refresh ${active.id} is already ${active.status} on ${asgName}; not starting a second rollout.`,
      'Wait for it to finish (or cancel it in the console), or run with on-refresh-in-progress: wait or cancel.',
    );
  }
  if (policy === 'cancel' && isRollingForward(active.status)) {
    await cancelRefresh(context, asgName);
    context.progress(`asked AWS to cancel refresh ${active.id}; instances it already replaced stay replaced`);
  } else if (policy === 'cancel') {
    context.progress(
      `not cancelling refresh ${active.id}: it is ${active.status}${active.status === 'RollbackInProgress' ? ', and cancelling would stop AWS’s rollback' : ''}; waiting for it to end instead`,
    );
  }
  const ended = await waitForRefreshEnd(context, asgName, active.id);
  context.progress(`earlier refresh ${active.id} ended ${ended.status}; starting this rollout`);
}

/** The group as it is once no other refresh runs on it. */
async function groupWithoutOtherRefresh(
  context: RolloutContext,
  group: GroupSnapshot,
  guarded: WaitGuard,
): Promise<GroupSnapshot> {
  const active = await findActiveRefresh(context, group.name);
  if (!active) return group;
  await guarded(undefined, () => settleRefreshInProgress(context, group.name, active));
  return describeGroup(context.clients, context.region, group.name);
}

/** StartInstanceRefresh, with a race against another deploy explained instead of thrown raw. */
async function startOurRefresh(
  context: RolloutContext,
  current: GroupSnapshot,
  { group, target }: InspectedGroup,
): Promise<string> {
  const { settings } = context;
  let id: string;
  try {
    id = await startRefresh(context, group.name, target.launchTemplateId, target.version);
  } catch (error) {
    if (!(error instanceof InstanceRefreshInProgressFault)) throw error;
    throw new DeployError(
      'refresh-in-progress',
      `Another instance refresh started on ${group.name} while this one was being prepared: ${error.message}`,
      'Another deploy is rolling this group. Serialize deploys per environment (the reusable workflow uses a concurrency group), then run again.',
    );
  }
  context.progress(
    `started refresh ${id}: ${current.launchTemplateId} version ${current.launchTemplateVersion} -> ${target.launchTemplateId} version ${target.version}, healthy ${settings.minHealthyPercentage}-${settings.maxHealthyPercentage}%, auto-rollback ${settings.autoRollback}`,
  );
  return id;
}

/** From now on every refresh read also reads the release alarms and feeds the summary's timeline. */
async function followRelease(
  context: RolloutContext,
  current: GroupSnapshot,
  { target }: InspectedGroup,
): Promise<void> {
  const timeline = createTimelineRecorder(
    context.startedAt,
    String(target.version),
    current.launchTemplateVersion,
  );
  context.timeline = timeline;
  timeline.fleet(context.clock.now(), instancesByVersion(current));
  context.alarmWatch = createAlarmWatch(context, rollbackAlarmNames(context.settings), (view) => {
    timeline.alarm(context.clock.now(), view.name, view.state);
  });
  // Each alarm's state as the refresh starts: every later line is a change.
  await context.alarmWatch.read();
}

/** Any final status but Successful fails the rollout, with the unhealthy targets and AWS's reasons. */
async function failUnlessSuccessful(
  context: RolloutContext,
  observer: Observer,
  asgName: string,
  ended: RefreshState,
): Promise<void> {
  const failure = refreshFailure(ended.status);
  if (!failure) return;
  const alarmed = await alarmFailure(context, context.alarmWatch, ended);
  if (alarmed) throw alarmed;
  const observed = await observer.observe();
  const notHealthy = describeNotHealthy(observed.verdict.notHealthy);
  if (notHealthy.length > 0) context.log.error(`Targets not healthy:\n  ${notHealthy.join('\n  ')}`);
  const why = [ended.statusReason, ended.rollbackReason].filter(Boolean).join(' Rollback reason: ');
  throw new DeployError(
    failure.reason,
    `Instance refresh ${ended.id} of ${asgName} ended ${ended.status}: ${why || 'AWS gave no reason'}`,
    failure.nextSteps,
  );
}

/**
 * Rolls the group onto the target version with an instance refresh (or finds it already there)
 * and waits for the refresh to end Successful.
 */
export async function rollRefresh(
  context: RolloutContext,
  inspected: InspectedGroup,
  observer: Observer,
  guarded: WaitGuard,
): Promise<RefreshOutcome> {
  const { settings, clock } = context;
  const { group, target } = inspected;
  const current = await groupWithoutOtherRefresh(context, group, guarded);
  if (!settings.forceRefresh && isGroupOnVersion(current, target)) {
    context.progress(
      `every instance already runs launch template ${target.launchTemplateId} version ${target.version}; no refresh needed (force-refresh: false)`,
    );
    return { id: undefined, status: 'NotNeeded' };
  }
  const bound = createSuccessBound({
    target,
    warmupMs: refreshWarmupSeconds(settings, current) * 1000,
    required: (snapshot) => requiredHealthy(settings, snapshot),
  });
  await checkRollbackAlarms(context);
  const startedAt = clock.now();
  const id = await startOurRefresh(context, current, inspected);
  await followRelease(context, current, inspected);
  bound.start(current, startedAt, settings.forceRefresh || !settings.skipMatching);
  const stopper = createReleaseStopper(context, observer, current, id);
  const ended = await guarded(id, () =>
    watchRefresh(context, group.name, id, observer, bound, stopper.onVerdict),
  );
  const stop = stopper.stopped();
  if (stop && stop.action !== 'none') await failStoppedRelease(context, current, stop, ended);
  await failUnlessSuccessful(context, observer, group.name, ended);
  return { id, status: ended.status };
}
