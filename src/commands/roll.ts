/** The rollout both `deploy` and `rollout` end with, and its app log excerpt on failure. */

import { scaledClock } from '../clock';
import { DeployError } from '../errors';
import { showsAppLog } from '../failures';
import type { DeployConfig, RolloutConfig } from '../inputs';
import type { RolloutResult, RolloutSettings } from '../rollout';
import type { Session } from './session';

async function rolloutDependencies({ dependencies, config }: Session<DeployConfig | RolloutConfig>) {
  const { log, fetch } = dependencies;
  const clock = scaledClock(dependencies.clock, config.aws.timeScale);
  return { clients: await dependencies.createClients(config.aws), log, clock, fetch };
}

/**
 * Runs the rollout; when it fails, the failing instances' last app log lines follow the reason.
 * The AWS clients load first and the rollout stage after them (dynamic imports): a run that
 * cannot reach AWS has compiled no more than it needed.
 */
export async function rollOut(
  session: Session<DeployConfig | RolloutConfig>,
  settings: RolloutSettings,
): Promise<RolloutResult> {
  const dependencies = await rolloutDependencies(session);
  const { runRollout } = await import('../rollout');
  const { printAppLogOfFailingInstances } = await import('../rollout/appLog');
  try {
    return await runRollout(dependencies, settings, session.config.aws.region);
  } catch (error) {
    if (error instanceof DeployError && showsAppLog(error.reason)) {
      const hints = await printAppLogOfFailingInstances({
        clients: dependencies.clients,
        log: dependencies.log,
        asgName: settings.asgName,
        targetGroupArns: settings.targetGroupArns,
        logGroup: settings.appLogGroup,
        knownSecrets: session.config.secrets,
        seenFailing: error.failingInstanceIds,
      });
      // What the app said goes before the generic advice: it names the cause.
      if (hints.length > 0) {
        throw error.withNextSteps([...hints, error.nextSteps].join(' '));
      }
    }
    throw error;
  }
}
