import { DeployError, errorName } from '../errors';
import { formatDuration } from '../log';
import { PollTimeoutError } from '../poll';
import type { RolloutContext } from './rolloutContext';
import { describeNotHealthy, type GroupSnapshot, type LaunchTarget } from '../fleet';
import { awaitFinalState, finalStateReport } from './finalVerdict';
import type { Observation, Observer } from './observer';
import {
  cancelRefresh,
  describeRefresh,
  findActiveRefresh,
  isRollingForward,
  reasonNotToStop,
  rollbackRefresh,
  startRefresh,
} from './refresh';

/** AWS's names for a session that ran out; GitHub's OIDC role sessions last 1 h by default. */
const EXPIRED_CREDENTIAL_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException']);

type TimeoutDecision = { keep: string; awsRollingBack?: boolean } | { undo: 'refresh' | 'new-refresh' };

/** What a timeout may do: keep everything as it is (and why), or undo this run's refresh. */
async function decideOnTimeout(
  context: RolloutContext,
  group: GroupSnapshot,
  refreshId: string | undefined,
  observed: Observation | undefined,
): Promise<TimeoutDecision> {
  const { settings } = context;
  if (settings.onTimeout === 'none') return { keep: 'left the group as it is (on-timeout: none)' };
  if (!refreshId) return { keep: 'nothing to undo: this run started no refresh' };
  if (observed?.verdict.ready) {
    return {
      keep: `did not undo anything: the group’s own instances are healthy on the new version (${observed.verdict.summary})`,
    };
  }
  const ours = await describeRefresh(context, group.name, refreshId);
  context.lastRefresh = ours;
  if (isRollingForward(ours.status)) {
    const why = await reasonNotToStop(context, group.name, refreshId);
    return why ? { keep: `did not cancel or roll back: ${why}` } : { undo: 'refresh' };
  }
  if (ours.status !== 'Successful') {
    const awsRollingBack = ours.status === 'RollbackInProgress';
    return {
      keep: `did not cancel or roll back refresh ${refreshId}: it is ${ours.status}${awsRollingBack ? ' (AWS is rolling it back; cancelling would stop that rollback)' : ''}`,
      awsRollingBack,
    };
  }
  const other = await findActiveRefresh(context, group.name);
  if (other)
    return {
      keep: `did not start an undo refresh: refresh ${other.id} (${other.status}) is running, not ours`,
    };
  if (settings.onTimeout === 'rollback' && /^\d+$/.test(group.launchTemplateVersion))
    return { undo: 'new-refresh' };
  return { keep: 'nothing to undo: refresh of ours ended and on-timeout does not start a new one' };
}

/** What an undo did, and the refresh whose end the final verdict waits for. */
interface UndoDone {
  line: string;
  waitFor: string | undefined;
  doing: string;
}

/** Carries out an undo decision. */
async function undo(
  context: RolloutContext,
  group: GroupSnapshot,
  refreshId: string | undefined,
  what: 'refresh' | 'new-refresh',
): Promise<UndoDone> {
  if (what === 'refresh') {
    const rolledBack =
      context.settings.onTimeout === 'rollback' && (await rollbackRefresh(context, group.name));
    if (!rolledBack) await cancelRefresh(context, group.name);
    return rolledBack
      ? {
          line: `started a rollback of refresh ${refreshId ?? ''} to version ${group.launchTemplateVersion}`,
          waitFor: refreshId,
          doing: 'its rollback',
        }
      : {
          line: `cancelled refresh ${refreshId ?? ''}; instances it already replaced stay replaced`,
          waitFor: refreshId,
          doing: 'cancelling',
        };
  }
  const undoId = await startRefresh(
    context,
    group.name,
    group.launchTemplateId,
    Number(group.launchTemplateVersion),
    true,
  );
  return {
    line: `started refresh ${undoId} back to version ${group.launchTemplateVersion}`,
    waitFor: undoId,
    doing: `the return to version ${group.launchTemplateVersion}`,
  };
}

/** The group's targets that are not healthy, with their reason codes, freshly read if AWS answers. */
async function reportTargets(context: RolloutContext, group: GroupSnapshot, observer: Observer) {
  const observed = await observer.observe().catch(() => observer.latest());
  if (observed) {
    const notHealthy = describeNotHealthy(observed.verdict.notHealthy);
    context.log.error(
      notHealthy.length > 0
        ? `Targets of ${group.name} not healthy (${notHealthy.length} of ${observed.targets.length - observed.verdict.foreign.length}):\n  ${notHealthy.join('\n  ')}`
        : `Every target of ${group.name} is healthy; ${observed.verdict.summary}.`,
    );
  }
  return observed;
}

/**
 * Called when a wait runs out of time: prints the group's targets that are not healthy and the
 * refresh's last status reason, then does what on-timeout says, but only to the refresh this run
 * started, only while it still rolls forward, and never to a release the group shows healthy.
 */
async function handleTimeout(
  context: RolloutContext,
  group: GroupSnapshot,
  target: LaunchTarget,
  refreshId: string | undefined,
  observer: Observer,
  timeout: PollTimeoutError,
): Promise<never> {
  const { log, settings } = context;
  log.error(
    `Timed out after ${formatDuration(settings.waitTimeoutSeconds * 1000)} waiting for ${timeout.what}.`,
  );
  const observed = await reportTargets(context, group, observer);
  const decision = await decideOnTimeout(context, group, refreshId, observed);
  if (context.lastRefresh) {
    const last = context.lastRefresh;
    log.error(
      `Refresh ${last.id} last status: ${last.status}${last.statusReason ? `: ${last.statusReason}` : ''}`,
    );
  }
  const done: UndoDone =
    'keep' in decision
      ? {
          line: decision.keep,
          waitFor: decision.awsRollingBack ? refreshId : undefined,
          doing: 'AWS’s rollback',
        }
      : await undo(context, group, refreshId, decision.undo);
  context.progress(done.line);
  const final = done.waitFor
    ? await awaitFinalState(context, group.name, done.waitFor, done.doing)
    : undefined;
  const report = final ? finalStateReport(final, group.name) : undefined;
  throw new DeployError(
    'timeout',
    `Rollout of ${group.name} to launch template ${target.launchTemplateId} version ${target.version} did not finish in time; ${done.line}.${report ? ` ${report.sentence}` : ''}`,
    'Read the target lines and the refresh status above: the reason codes say why instances are not healthy. If they were only slow, raise wait-timeout-minutes.',
    report?.outputs,
  );
}

/** An expired session mid-wait: the refresh goes on without us, and the person must know which. */
function credentialsExpired(context: RolloutContext, asgName: string, error: unknown): DeployError {
  const last = context.lastRefresh;
  const refreshText = last
    ? `instance refresh ${last.id} (last seen ${last.status}${last.statusReason ? `: ${last.statusReason}` : ''})`
    : 'the rollout';
  const check = last
    ? `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${asgName} --instance-refresh-ids ${last.id}`
    : `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${asgName}`;
  return new DeployError(
    'credentials-expired',
    `The AWS credentials expired (${errorName(error)}) while waiting for ${refreshText} of ${asgName}. The refresh may still be running: AWS carries on without this job, and nothing was cancelled or rolled back.`,
    `Check it with \`${check}\`. Then give the role session more time than wait-timeout-minutes (role-duration-seconds in aws-actions/configure-aws-credentials, within the role's MaxSessionDuration).`,
  );
}

/**
 * Runs a wait of the rollout so that running out of time goes through on-timeout, and expired
 * credentials (mid-wait, or while deciding about a timeout) say which refresh runs on.
 */
export function createWaitGuard(
  context: RolloutContext,
  group: GroupSnapshot,
  target: LaunchTarget,
  observer: Observer,
) {
  return async <T>(refreshId: string | undefined, wait: () => Promise<T>): Promise<T> => {
    try {
      try {
        return await wait();
      } catch (error) {
        if (!(error instanceof PollTimeoutError)) throw error;
        return await handleTimeout(context, group, target, refreshId, observer, error);
      }
    } catch (error) {
      if (EXPIRED_CREDENTIAL_ERRORS.has(errorName(error)))
        throw credentialsExpired(context, group.name, error);
      throw error;
    }
  };
}

export type WaitGuard = ReturnType<typeof createWaitGuard>;
