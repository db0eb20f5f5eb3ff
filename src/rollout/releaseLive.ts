/**
 * What happens when a check after a successful refresh fails (the smoke check): the new version
 * already serves users. By default that is said plainly (the error carries `releaseLive: true`);
 * with rollback-on-check-failure the group is rolled back to the version it ran before this run.
 * AWS's RollbackInstanceRefresh acts only on a refresh that is still in progress (Amazon EC2 Auto
 * Scaling user guide, "Undo changes with a rollback"); once it is Successful, only a new refresh
 * can undo it. So the rollback is a new refresh to the previous launch template version, waited
 * for to its end.
 */
import { DeployError } from '../errors';
import { startRunClock } from '../runClock';
import type { InspectedGroup } from './inspect';
import { startRefresh, waitForRefreshEnd, type RefreshState } from './refresh';
import type { RolloutContext } from './rolloutContext';

/** This run's refresh as the check found it: undefined id when the group already ran the version. */
export interface FinishedRefresh {
  id: string | undefined;
  status: string;
}

/** The previous version as a number, when this run's refresh moved the group off it and it has one. */
function versionToRestore(inspected: InspectedGroup, refresh: FinishedRefresh): number | undefined {
  const previous = inspected.group.launchTemplateVersion;
  if (refresh.id === undefined || !/^\d+$/.test(previous)) return undefined;
  return Number(previous) === inspected.target.version ? undefined : Number(previous);
}

/** Why there is nothing to roll back to, for the person reading the failure. */
function whyNoRollback(inspected: InspectedGroup, refresh: FinishedRefresh): string {
  const { group, target } = inspected;
  if (refresh.id === undefined) {
    return `this run replaced no instance (the group already ran version ${target.version}), so there is no earlier version of this run to restore`;
  }
  return `the group ran launch template version ${group.launchTemplateVersion} before, which is not a version number AWS can refresh back to`;
}

/**
 * Starts a refresh back to `version` and waits for it to end, with a wait budget of its own (the
 * check that failed may have used the rollout's up). Reusable by any check that fails after a
 * successful refresh.
 */
export async function refreshBackToPreviousVersion(
  context: RolloutContext,
  inspected: InspectedGroup,
  version: number,
): Promise<RefreshState> {
  const { group } = inspected;
  const id = await startRefresh(context, group.name, group.launchTemplateId, version);
  context.progress(
    `started refresh ${id} back to launch template ${group.launchTemplateId} version ${version} (rollback-on-check-failure: true)`,
  );
  const ownBudget = startRunClock(context, {
    intervalSeconds: context.settings.pollIntervalSeconds,
    timeoutSeconds: context.settings.waitTimeoutSeconds,
  });
  return waitForRefreshEnd({ ...context, poll: ownBudget.poll.bind(ownBudget) }, group.name, id);
}

function liveError(failed: DeployError, statement: string, nextSteps: string): DeployError {
  return new DeployError(failed.reason, `${failed.message} ${statement}`, nextSteps, {
    'release-live': 'true',
  });
}

/**
 * Turns a check's failure after a successful refresh into the run's failure, saying whether the
 * release is live; rolls back first when rollback-on-check-failure asks for it.
 */
export async function failAfterLiveRelease(
  context: RolloutContext,
  inspected: InspectedGroup,
  refresh: FinishedRefresh,
  failed: DeployError,
): Promise<DeployError> {
  const { group, target } = inspected;
  const live = `The release is live: every instance of ${group.name} runs launch template ${target.launchTemplateId} version ${target.version}${refresh.id ? ` (refresh ${refresh.id} ${refresh.status})` : ''} and serves users, although the check failed.`;
  const restore = versionToRestore(inspected, refresh);
  if (!context.settings.rollbackOnCheckFailure || restore === undefined) {
    const why = context.settings.rollbackOnCheckFailure
      ? ` Not rolled back: ${whyNoRollback(inspected, refresh)}.`
      : '';
    context.log.error(`${live}${why}`);
    return liveError(
      failed,
      `${live}${why}`,
      `${failed.nextSteps} Until then users get this release: to restore version ${group.launchTemplateVersion} instead, deploy the previous release, or set rollback-on-check-failure: true to have a failing check roll back.`,
    );
  }
  context.log.error(`${live} Rolling back to version ${restore} (rollback-on-check-failure: true).`);
  const ended = await refreshBackToPreviousVersion(context, inspected, restore);
  if (ended.status === 'Successful') {
    const restored = `Rolled back: refresh ${ended.id} put every instance of ${group.name} back on version ${restore}, so the release is not live.`;
    context.progress(restored);
    return new DeployError(failed.reason, `${failed.message} ${restored}`, failed.nextSteps, {
      'release-live': 'false',
    });
  }
  const partial = `The rollback refresh ${ended.id} back to version ${restore} ended ${ended.status}${ended.statusReason ? ` (${ended.statusReason})` : ''}: instances may run either version, and the release is live on some of them.`;
  context.log.error(partial);
  return liveError(
    failed,
    partial,
    `${failed.nextSteps} Then look at refresh ${ended.id} in the console and deploy the release you want.`,
  );
}
