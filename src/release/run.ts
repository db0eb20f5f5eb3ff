/**
 * The release phase of `deploy`: the new image's migrations, run once, on one InService instance,
 * after Terraform apply and before the instance refresh, so no instance of the new release ever
 * serves against a schema it does not know. First the compatibility check (the previous release
 * keeps serving during the refresh, and a rollback restores code, not schema), then the migration.
 */
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DeployError } from '../errors';
import type { FailureReason } from '../failures';
import { formatDuration } from '../log';
import { poll } from '../poll';
import { describeIncompatible, parseLinterOutput, unappliedMigrations } from './linter';
import type { ReleaseSettings } from './settings';
import { runOneOff, type OneOffDependencies, type OneOffRequest, type OneOffResult } from './ssm';

/** Where and how the one-offs run: the instance, the new image, their budget, whether the host still boots. */
type OneOffHost = Pick<OneOffRequest, 'instanceId' | 'image' | 'timeoutSeconds' | 'hostBooting'>;

export interface ReleaseDependencies extends OneOffDependencies {
  autoScaling: Pick<AutoScalingClient, 'send'>;
}

export interface ReleaseTarget {
  asgName: string;
  /** The new release's image, by digest. */
  image: string;
}

export type ReleaseResult =
  { ran: false; why: string } | { ran: true; instanceId: string; migrations: string[]; durationMs: number };

/** An instance of the group that is InService now, if any (first deploy: none yet). */
export async function findInServiceInstance(
  autoScaling: Pick<AutoScalingClient, 'send'>,
  asgName: string,
): Promise<string | undefined> {
  const answer = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
  );
  const instances = answer.AutoScalingGroups?.[0]?.Instances ?? [];
  return instances.find((instance) => instance.LifecycleState === 'InService')?.InstanceId;
}

function failure(reason: FailureReason, headline: string, run: OneOffResult, nextSteps: string): DeployError {
  const tail =
    run.tail.length > 0
      ? `\nIts last ${run.tail.length} lines:\n${run.tail.map((line) => `  | ${line}`).join('\n')}`
      : '';
  return new DeployError(
    reason,
    `${headline} (command ${run.commandId}: ${run.status}, exit ${run.exitCode}).${tail}`,
    nextSteps,
  );
}

function failIfUnsuccessful(
  what: string,
  run: OneOffResult,
  timeoutSeconds: number,
  reasonIfFailed: FailureReason,
): void {
  if (run.verdict === 'timed-out') {
    throw failure(
      'migration-timeout',
      `${what} outlasted its ${timeoutSeconds}s budget and was stopped; no instance was replaced`,
      run,
      'Find what it waited on in its last lines (a lock held by live traffic, a long data migration). Make the migration faster or split it, or raise migration-timeout-seconds, then deploy again.',
    );
  }
  if (run.verdict === 'failed') {
    throw failure(
      reasonIfFailed,
      `${what} failed; no instance was replaced and the previous release keeps serving`,
      run,
      'Read its last lines above, fix the migration (or the database it could not reach), and deploy again. Nothing was rolled out.',
    );
  }
}

const INCOMPATIBLE_NEXT_STEPS =
  'Split the change into backward-compatible steps (expand/contract): add the new column or table first, move the code over in this release, and drop or rename the old one in a later release once no instance runs the previous code. Or, accepting that a rollback cannot restore the old schema, set allow-incompatible-migrations: true.';

/** The check: refuses a backward-incompatible migration unless allowed. Returns the unapplied migrations. */
async function checkCompatibility(
  dependencies: ReleaseDependencies,
  settings: ReleaseSettings,
  host: OneOffHost,
): Promise<string[]> {
  const what = 'the migration compatibility check';
  const run = await runOneOff(dependencies, { what, argv: settings.checkCommand, ...host });
  const linted = parseLinterOutput(run.stdout);
  const incompatible = describeIncompatible(linted);
  if (run.verdict !== 'timed-out' && incompatible.length > 0) {
    if (!settings.allowIncompatible) {
      throw new DeployError(
        'migration-incompatible',
        `Refused before anything changed: ${incompatible.length} backward-incompatible migration(s): ${incompatible.join(', ')}. The previous release keeps serving during the refresh and would break against this schema.`,
        INCOMPATIBLE_NEXT_STEPS,
      );
    }
    dependencies.log.warning(
      `Migrating anyway (allow-incompatible-migrations): ${incompatible.join(', ')}. A rollback of this release restores the previous code but cannot restore the old schema; the previous release may fail against it until the refresh ends.`,
    );
    return unappliedMigrations(linted).map((migration) => migration.name);
  }
  failIfUnsuccessful(what, run, settings.timeoutSeconds, 'migration-check-failed');
  return unappliedMigrations(linted).map((migration) => migration.name);
}

/**
 * The release phase on one InService instance: the check, then the migration. Throws a
 * DeployError (migration-incompatible, -check-failed, -failed, -timeout) before anything is replaced.
 */
async function runReleasePhaseOn(
  dependencies: ReleaseDependencies,
  settings: ReleaseSettings,
  host: OneOffHost,
): Promise<ReleaseResult> {
  const { log, clock } = dependencies;
  const { instanceId } = host;
  return log.group('Release: migrations', async () => {
    const startedAt = clock.now();
    log.info(
      `Running the release's migrations with ${host.image} on ${instanceId} (budget ${settings.timeoutSeconds}s each).`,
    );
    const migrations =
      settings.checkCommand.length > 0 ? await checkCompatibility(dependencies, settings, host) : [];
    if (settings.checkCommand.length > 0) {
      log.info(`migrations to apply: ${migrations.length > 0 ? migrations.join(', ') : 'none'}`);
    }
    const what = 'the migration';
    const run = await runOneOff(dependencies, { what, argv: settings.migrateCommand, ...host });
    failIfUnsuccessful(what, run, settings.timeoutSeconds, 'migration-failed');
    const durationMs = clock.now() - startedAt;
    log.info(
      `migrations: ${migrations.length > 0 ? migrations.join(', ') : 'none pending'} in ${formatDuration(durationMs)}`,
    );
    return { ran: true, instanceId, migrations, durationMs };
  });
}

/**
 * Between apply and the refresh: on any InService instance of the group. With none (a stack's
 * first deploy) nothing runs and the result says so: the caller runs `runReleasePhaseOnFirstInstance`
 * once the group has an instance, before the smoke check.
 */
export async function runReleasePhase(
  dependencies: ReleaseDependencies,
  settings: ReleaseSettings,
  target: ReleaseTarget,
): Promise<ReleaseResult> {
  if (settings.migrateCommand.length === 0) {
    dependencies.log.info('Release: no migration step (migration-command is empty).');
    return { ran: false, why: 'migration-command is empty' };
  }
  const instanceId = await findInServiceInstance(dependencies.autoScaling, target.asgName);
  if (instanceId === undefined) {
    dependencies.log.info(
      `Release: ${target.asgName} has no InService instance yet (first deploy): migrating once one is.`,
    );
    return { ran: false, why: 'no InService instance yet' };
  }
  return runReleasePhaseOn(dependencies, settings, {
    instanceId,
    image: target.image,
    timeoutSeconds: settings.timeoutSeconds,
    hostBooting: false,
  });
}

/**
 * First deploy: waits (until `deadline`) for the group's first InService instance, then runs the
 * release phase on it. Its container may be refusing to start for lack of this very migration
 * (the app's start-time check); the instance is still InService and reachable by SSM.
 */
export async function runReleasePhaseOnFirstInstance(
  dependencies: ReleaseDependencies,
  settings: ReleaseSettings,
  target: ReleaseTarget,
  deadline: number,
): Promise<ReleaseResult> {
  if (settings.migrateCommand.length === 0) return { ran: false, why: 'migration-command is empty' };
  const instanceId = await poll(
    async () => {
      const found = await findInServiceInstance(dependencies.autoScaling, target.asgName);
      return found ? { done: true, value: found } : { done: false, state: 'no InService instance' };
    },
    {
      what: `an InService instance of ${target.asgName} to migrate on`,
      intervalMs: dependencies.pollIntervalMs,
      deadline,
      clock: dependencies.clock,
    },
  );
  return runReleasePhaseOn(dependencies, settings, {
    instanceId,
    image: target.image,
    timeoutSeconds: settings.timeoutSeconds,
    hostBooting: true,
  });
}

/**
 * The whole flow for a deploy that runs it right after Terraform apply: on an InService instance
 * if the group has one, else on its first instance once that is InService (a first deploy), so
 * the migrations land before the rollout's health checks and smoke check either way.
 * `firstInstanceDeadline`: until when (per the clock) a first deploy waits for an instance.
 */
export async function runReleaseForDeploy(
  dependencies: ReleaseDependencies,
  settings: ReleaseSettings,
  target: ReleaseTarget,
  firstInstanceDeadline: number,
): Promise<ReleaseResult> {
  const result = await runReleasePhase(dependencies, settings, target);
  if (result.ran || settings.migrateCommand.length === 0) return result;
  return runReleasePhaseOnFirstInstance(dependencies, settings, target, firstInstanceDeadline);
}
