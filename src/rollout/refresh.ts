import {
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  IrreversibleInstanceRefreshFault,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  type InstanceRefresh,
  type RefreshPreferences,
} from '@aws-sdk/client-auto-scaling';
import type { RolloutSettings } from './settings';
import { DeployError, errorMessage } from '../errors';
import type { RolloutContext } from './rolloutContext';
import { alarmPreferences } from './alarms';

const ACTIVE_STATUSES = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);
/**
 * The only active statuses this action may cancel or roll back. Cancelling is already stopping;
 * CancelInstanceRefresh on RollbackInProgress would stop AWS's own rollback; Baking has replaced
 * every instance already, so there is nothing left to stop.
 */
const ROLLING_FORWARD = new Set(['Pending', 'InProgress']);

export interface RefreshState {
  id: string;
  status: string;
  statusReason: string | undefined;
  percentageComplete: number;
  instancesToUpdate: number;
  rollbackReason: string | undefined;
}

function toState(refresh: InstanceRefresh): RefreshState {
  return {
    id: refresh.InstanceRefreshId ?? 'unknown',
    status: refresh.Status ?? '(no status)',
    statusReason: refresh.StatusReason,
    percentageComplete: refresh.PercentageComplete ?? 0,
    instancesToUpdate: refresh.InstancesToUpdate ?? 0,
    rollbackReason: refresh.RollbackDetails?.RollbackReason,
  };
}

export function isActive(status: string): boolean {
  return ACTIVE_STATUSES.has(status);
}

export function isRollingForward(status: string): boolean {
  return ROLLING_FORWARD.has(status);
}

/**
 * The preferences AWS gets, built from the inputs; pure so a test can pin the mapping. A refresh
 * back to the previous release (`undo`) is not watched by the release alarms: the bad release's
 * alarm, still in ALARM, would stop its own undo.
 */
export function refreshPreferences(settings: RolloutSettings, undo = false): RefreshPreferences {
  return {
    MinHealthyPercentage: settings.minHealthyPercentage,
    MaxHealthyPercentage: settings.maxHealthyPercentage,
    SkipMatching: settings.skipMatching && !settings.forceRefresh,
    AutoRollback: settings.autoRollback,
    // Always explicit: AWS's default for both is Wait, an hour's wait that then fails the refresh.
    ScaleInProtectedInstances: settings.scaleInProtectedInstances,
    StandbyInstances: settings.standbyInstances,
    ...(undo ? {} : alarmPreferences(settings)),
    ...(settings.instanceWarmupSeconds === undefined
      ? {}
      : { InstanceWarmup: settings.instanceWarmupSeconds }),
    ...(settings.checkpointPercentages.length > 0
      ? {
          CheckpointPercentages: settings.checkpointPercentages,
          ...(settings.checkpointDelaySeconds === undefined
            ? {}
            : { CheckpointDelay: settings.checkpointDelaySeconds }),
        }
      : {}),
  };
}

export async function findActiveRefresh(
  context: RolloutContext,
  asgName: string,
): Promise<RefreshState | undefined> {
  const response = await context.clients.autoScaling.send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: asgName, MaxRecords: 10 }),
  );
  const active = (response.InstanceRefreshes ?? []).find((refresh) => isActive(refresh.Status ?? ''));
  return active ? toState(active) : undefined;
}

export async function describeRefresh(
  context: RolloutContext,
  asgName: string,
  id: string,
): Promise<RefreshState> {
  const response = await context.clients.autoScaling.send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: asgName, InstanceRefreshIds: [id] }),
  );
  const refresh = response.InstanceRefreshes?.[0];
  if (!refresh) {
    throw new DeployError(
      'refresh-not-found',
      `Instance refresh ${id} of ${asgName} is no longer described by AWS.`,
      'Check the group in the EC2 console (Auto Scaling groups -> Instance refresh).',
    );
  }
  return toState(refresh);
}

export async function startRefresh(
  context: RolloutContext,
  asgName: string,
  launchTemplateId: string,
  version: number,
  undo = false,
): Promise<string> {
  const response = await context.clients.autoScaling.send(
    new StartInstanceRefreshCommand({
      AutoScalingGroupName: asgName,
      Strategy: 'Rolling',
      DesiredConfiguration: {
        LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: String(version) },
      },
      Preferences: refreshPreferences(context.settings, undo),
    }),
  );
  if (!response.InstanceRefreshId) {
    throw new DeployError(
      'refresh-not-started',
      `AWS accepted the instance refresh of ${asgName} but returned no refresh id.`,
      'Look for the refresh in the EC2 console and run the action again with on-refresh-in-progress: wait.',
    );
  }
  return response.InstanceRefreshId;
}

/**
 * CancelInstanceRefresh and RollbackInstanceRefresh act on whatever refresh is active on the group,
 * not on an id: so both are preceded by this check that the active one is still `id` and still
 * rolling forward. Returns the reason not to act, or undefined when it is safe.
 */
export async function reasonNotToStop(
  context: RolloutContext,
  asgName: string,
  id: string,
): Promise<string | undefined> {
  const active = await findActiveRefresh(context, asgName);
  if (!active) return `no refresh is active on ${asgName} any more`;
  if (active.id !== id) return `the active refresh is ${active.id} (${active.status}), not ${id}`;
  if (!isRollingForward(active.status)) {
    return `refresh ${id} is ${active.status}${active.status === 'RollbackInProgress' ? ': AWS is rolling it back, and cancelling would stop that rollback' : ''}`;
  }
  return undefined;
}

export async function cancelRefresh(context: RolloutContext, asgName: string): Promise<void> {
  await context.clients.autoScaling.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: asgName }));
}

/**
 * Asks AWS to roll the active refresh back. Returns false (and says why) when AWS refuses because
 * the refresh cannot be reversed, so the caller can cancel instead of leaving it running.
 */
export async function rollbackRefresh(context: RolloutContext, asgName: string): Promise<boolean> {
  try {
    await context.clients.autoScaling.send(
      new RollbackInstanceRefreshCommand({ AutoScalingGroupName: asgName }),
    );
    return true;
  } catch (error) {
    if (error instanceof IrreversibleInstanceRefreshFault) {
      context.progress(`AWS refused the rollback: ${errorMessage(error)}`);
      return false;
    }
    throw error;
  }
}

function describeProgress(state: RefreshState): string {
  const left = `${state.instancesToUpdate} instance${state.instancesToUpdate === 1 ? '' : 's'} left to update`;
  const reason = state.statusReason ? ` (${state.statusReason})` : '';
  return `refresh ${state.id} ${state.status}: ${state.percentageComplete}% complete, ${left}${reason}`;
}

/**
 * Reads one refresh's state, remembers it as the rollout's last refresh (what a failure reports),
 * and logs one line whenever its status, progress or reason changes.
 */
export function createRefreshReader(context: RolloutContext, asgName: string, id: string) {
  let lastLine = '';
  return async (): Promise<{ state: RefreshState; line: string }> => {
    const state = await describeRefresh(context, asgName, id);
    context.lastRefresh = state;
    context.timeline?.refresh(context.clock.now(), state.status);
    await context.alarmWatch?.read();
    const line = describeProgress(state);
    if (line !== lastLine) {
      context.progress(line);
      lastLine = line;
    }
    return { state, line };
  };
}

/**
 * Waits for a refresh this run did not start (another deploy's) to end, asking only for its
 * state, once per poll interval, and returns its final state (Successful, Failed, Cancelled,
 * RollbackSuccessful, RollbackFailed).
 */
export async function waitForRefreshEnd(
  context: RolloutContext,
  asgName: string,
  id: string,
): Promise<RefreshState> {
  const read = createRefreshReader(context, asgName, id);
  return context.poll(`instance refresh ${id} to finish`, async () => {
    const { state, line } = await read();
    return isActive(state.status) ? { done: false, state: line } : { done: true, value: state };
  });
}
