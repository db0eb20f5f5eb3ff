/**
 * Acting on the fast verdict (releaseVerdict.ts): roll back the refresh this run started, or
 * cancel it and put the previous version back with a new refresh when AWS cannot roll it back.
 */
import { DeployError } from '../errors';
import { formatDuration } from '../log';
import { describeNotHealthy, type GroupSnapshot } from '../fleet';
import type { Observer } from './observer';
import { awaitFinalState, finalStateReport } from './finalVerdict';
import {
  cancelRefresh,
  reasonNotToStop,
  rollbackRefresh,
  startRefresh,
  waitForRefreshEnd,
  type RefreshState,
} from './refresh';
import type { ReleaseVerdict } from './releaseVerdict';
import type { RolloutContext } from './rolloutContext';

export interface ReleaseStop {
  verdict: ReleaseVerdict;
  /** What this run did about it. */
  action: 'rollback' | 'cancel' | 'none';
}

/** The watch's verdict handler for refresh `id`, and what it did once called. */
export function createReleaseStopper(
  context: RolloutContext,
  observer: Observer,
  previous: GroupSnapshot,
  id: string,
) {
  let stop: ReleaseStop | undefined;

  async function onVerdict(verdict: ReleaseVerdict): Promise<void> {
    const { settings } = context;
    context.log.error(
      `Fast verdict: ${verdict.summary}. On AWS such a refresh keeps replacing them for up to an hour before it fails${settings.autoRollback ? ' and rolls back' : ''}; stopping it now instead of waiting out wait-timeout-minutes (${formatDuration(settings.waitTimeoutSeconds * 1000)}).`,
    );
    const notHealthy = describeNotHealthy(observer.latest()?.verdict.notHealthy ?? []);
    if (notHealthy.length > 0) context.log.error(`Targets not healthy:\n  ${notHealthy.join('\n  ')}`);
    const why = await reasonNotToStop(context, previous.name, id);
    if (why) {
      context.progress(`fast verdict: not rolling back: ${why}`);
      stop = { verdict, action: 'none' };
      return;
    }
    if (await rollbackRefresh(context, previous.name)) {
      context.progress(
        `fast verdict: asked AWS to roll back refresh ${id} to version ${previous.launchTemplateVersion} (RollbackInstanceRefresh)`,
      );
      stop = { verdict, action: 'rollback' };
      return;
    }
    await cancelRefresh(context, previous.name);
    context.progress(
      `fast verdict: AWS cannot roll refresh ${id} back; cancelled it, and the previous version goes back once it is Cancelled`,
    );
    stop = { verdict, action: 'cancel' };
  }

  return { onVerdict, stopped: () => stop };
}

/** After a cancel on the verdict: a new refresh back to the group's previous concrete version. */
async function restorePrevious(
  context: RolloutContext,
  previous: GroupSnapshot,
): Promise<RefreshState | undefined> {
  if (!/^\d+$/.test(previous.launchTemplateVersion)) {
    context.progress(
      `not restoring: the group was on launch template version ${previous.launchTemplateVersion}, not a concrete one; instances already replaced stay replaced`,
    );
    return undefined;
  }
  const restoreId = await startRefresh(
    context,
    previous.name,
    previous.launchTemplateId,
    Number(previous.launchTemplateVersion),
  );
  context.progress(`started refresh ${restoreId} back to version ${previous.launchTemplateVersion}`);
  return waitForRefreshEnd(context, previous.name, restoreId);
}

/**
 * The failure a stopped release ends in, once the watch saw its refresh end: `rolled-back` when
 * the previous version serves again, with the final state of the group in the log, message and
 * outputs.
 */
export async function failStoppedRelease(
  context: RolloutContext,
  previous: GroupSnapshot,
  stop: ReleaseStop,
  ended: RefreshState,
): Promise<never> {
  const restored =
    stop.action === 'cancel' && ended.status === 'Cancelled'
      ? await restorePrevious(context, previous)
      : undefined;
  const last = restored ?? ended;
  const final = await awaitFinalState(context, previous.name, last.id, 'what it is doing');
  const report = finalStateReport(final, previous.name);
  const back =
    final.refresh.status === 'RollbackSuccessful' ||
    (final.refresh.status === 'Successful' && restored !== undefined);
  throw new DeployError(
    back ? 'rolled-back' : 'refresh-failed',
    `The release failed its health checks: ${stop.verdict.summary}. This run stopped refresh ${ended.id} instead of letting AWS retry for an hour. ${report.sentence}`,
    back
      ? 'Users are served by the previous release. Read the target reason codes and the app log above, fix the release and deploy again.'
      : 'The group may run a mix of versions: check it in the EC2 console, then deploy the last good image.',
    report.outputs,
  );
}
