/**
 * The final verdict: after this run rolls back or cancels a refresh (or finds AWS rolling one
 * back), it waits, for a bounded time said up front, for that to finish, then reports the state
 * the group ends in. The job never ends with the group mid-rollback without saying so.
 */
import { formatDuration } from '../log';
import { PollTimeoutError } from '../poll';
import { startRunClock } from '../runClock';
import type { RolloutContext } from './rolloutContext';
import { describeGroup, type GroupSnapshot } from '../fleet';
import { describeRefresh, isActive, type RefreshState } from './refresh';

/**
 * How long the final verdict waits. A rollback replaces only what the refresh replaced, with the
 * previous release, already known to pass its checks: a few batches of one warmup each (the
 * bundled stack's grace period is 120 s). 15 minutes holds that with room, and keeps the default
 * 30 minute wait plus this under GitHub's 1 h OIDC session.
 */
export const FINAL_VERDICT_WAIT_SECONDS = 15 * 60;

export interface FinalState {
  refresh: RefreshState;
  /** False when the bounded wait ran out with the refresh still active. */
  settled: boolean;
  /** The group's in-service instances per launch template version, for a person. */
  groupLine: string;
}

/** "2 InService (2 on version 1), desired 2": what the group serves now. */
export function describeGroupState(group: GroupSnapshot): string {
  const inService = group.instances.filter((instance) => instance.lifecycleState === 'InService');
  const perVersion = new Map<string, number>();
  for (const instance of inService) {
    const version = instance.launchTemplateVersion ?? 'unknown';
    perVersion.set(version, (perVersion.get(version) ?? 0) + 1);
  }
  const versions = [...perVersion.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([version, count]) => `${count} on version ${version}`)
    .join(', ');
  return `group ${group.name}: ${inService.length} InService (${versions || 'none'}), desired ${group.desiredCapacity}, configured version ${group.launchTemplateVersion}`;
}

/** Waits (bounded) for refresh `id` to leave its active statuses, then reads the group. */
export async function awaitFinalState(
  context: RolloutContext,
  asgName: string,
  id: string,
  doing: string,
): Promise<FinalState> {
  const { log, settings } = context;
  let last = await describeRefresh(context, asgName, id);
  let settled = true;
  if (isActive(last.status)) {
    context.progress(
      `final verdict: waiting up to ${formatDuration(FINAL_VERDICT_WAIT_SECONDS * 1000)} for refresh ${id} to finish ${doing}, then reporting the group's state`,
    );
    const ownClock = startRunClock(
      { clock: context.clock, log, ...(context.signal ? { signal: context.signal } : {}) },
      { intervalSeconds: settings.pollIntervalSeconds, timeoutSeconds: FINAL_VERDICT_WAIT_SECONDS },
    );
    try {
      last = await ownClock.poll(`refresh ${id} to finish ${doing}`, async () => {
        last = await describeRefresh(context, asgName, id);
        return isActive(last.status) ? { done: false, state: last.status } : { done: true, value: last };
      });
    } catch (error) {
      if (!(error instanceof PollTimeoutError)) throw error;
      settled = false;
    }
  }
  context.lastRefresh = last;
  const groupLine = describeGroupState(await describeGroup(context.clients, context.region, asgName));
  context.progress(
    settled
      ? `final verdict: refresh ${id} ended ${last.status}; ${groupLine}`
      : `final verdict: refresh ${id} is still ${last.status} after ${formatDuration(FINAL_VERDICT_WAIT_SECONDS * 1000)}; AWS goes on without this job; ${groupLine}`,
  );
  return { refresh: last, settled, groupLine };
}

/** The sentence a failure message ends with, and the outputs that carry the same facts. */
export function finalStateReport(
  final: FinalState,
  asgName: string,
): { sentence: string; outputs: Record<string, string> } {
  const check = `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${asgName} --instance-refresh-ids ${final.refresh.id}`;
  return {
    sentence: final.settled
      ? `Final state: refresh ${final.refresh.id} ended ${final.refresh.status}; ${final.groupLine}.`
      : `Final state: refresh ${final.refresh.id} was still ${final.refresh.status} when this job stopped waiting; ${final.groupLine}. AWS carries on: follow it with \`${check}\`.`,
    outputs: { 'refresh-id': final.refresh.id, 'refresh-status': final.refresh.status },
  };
}
