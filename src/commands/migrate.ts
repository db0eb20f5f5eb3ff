/** `deploy`'s release phase: the new image's migrations, run once, before any instance is replaced. */

import { scaledClock } from '../clock';
import type { ImageResult } from '../image';
import type { DeployConfig } from '../inputs';
import type { StackOutputs } from '../terraform';
import type { Session } from './session';

/**
 * On one InService instance of the group (on a first deploy, the first to come InService), the
 * compatibility check and then the migration; a failure stops the deploy before the refresh. With
 * both commands empty (an app without a database) nothing is sent and the log says so.
 */
export async function migrate(
  session: Session<DeployConfig>,
  stack: StackOutputs,
  image: ImageResult,
): Promise<void> {
  const { config, dependencies } = session;
  const { release, rollout } = config;
  if (release.migrateCommand.length === 0 && release.checkCommand.length === 0) {
    dependencies.log.info('Migrations: off (migration-command and migration-check-command are empty).');
    return;
  }
  const { runReleaseForDeploy } = await import('../release');
  const clients = await dependencies.createClients(config.aws);
  const clock = scaledClock(dependencies.clock, config.aws.timeScale);
  await runReleaseForDeploy(
    {
      ssm: clients.ssm,
      autoScaling: clients.autoScaling,
      log: dependencies.log,
      clock,
      pollIntervalMs: rollout.pollIntervalSeconds * 1000,
      knownSecrets: config.secrets,
    },
    release,
    { asgName: stack.asgName, image: image.reference },
    clock.now() + rollout.waitTimeoutSeconds * 1000,
  );
}
