/** `scale-test`: load the fleet's CPU, watch the alarm, the scale-out and the new targets. */

import { scaledClock } from '../clock';
import { DeployError } from '../errors';
import { showsAppLog } from '../failures';
import type { ScaleTestConfig } from '../inputs';
import type { ScaleTestTarget } from '../scale';
import { setOutputs, type Session } from './session';

/** The group to load: named by the inputs, or read from the applied stack's outputs. */
async function scaleTestTarget(session: Session<ScaleTestConfig>): Promise<ScaleTestTarget> {
  const { config } = session;
  if (config.group) return { ...config.group, policyName: undefined, appLogGroup: undefined };
  await session.terraform.init({ backendConfig: config.terraform.backendConfig });
  const { scaleTestTargetFromOutputs } = await import('../scale/stack');
  return scaleTestTargetFromOutputs(await session.terraform.outputs());
}

/** Aborts when the runner cancels the job (SIGINT, then SIGTERM), so the load is stopped first. */
function abortOnCancel(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = (signalName: string): void => {
    controller.abort(
      new DeployError(
        'cancelled',
        `The run was cancelled (${signalName}) during the scale test.`,
        'The load was stopped; run the scale test again when ready.',
      ),
    );
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      abort(name);
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
  };
}

export async function scaleTestCommand(session: Session<ScaleTestConfig>): Promise<void> {
  const { config, dependencies } = session;
  const { reporter, log } = dependencies;
  // Against AWS the system clock; in an emulated region its clock and dates, as every wait and
  // every metric window must be on the same clock as the datapoints and activities it reads.
  const clock = scaledClock(dependencies.clock, config.aws.timeScale, config.aws.clockAnchor);
  const target = await scaleTestTarget(session);
  const clients = await dependencies.createClients(config.aws);
  const { runScaleTest, ScaleTestFailure, scaleTestOutputs, scaleTestSummary } = await import('../scale');
  const { printAppLogOfFailingInstances } = await import('../rollout/appLog');
  const cancel = abortOnCancel();
  try {
    const result = await runScaleTest(
      { clients, log, clock, signal: cancel.signal },
      { ...config.scaleTest, pollIntervalSeconds: config.pollIntervalSeconds },
      target,
      config.aws.region,
    );
    setOutputs(reporter, scaleTestOutputs(result));
    await reporter.writeSummary(scaleTestSummary(result));
  } catch (error) {
    if (error instanceof ScaleTestFailure) {
      if (showsAppLog(error.reason)) {
        await printAppLogOfFailingInstances({
          clients,
          log,
          asgName: target.asgName,
          targetGroupArns: target.targetGroupArns,
          logGroup: config.appLogGroup ?? target.appLogGroup,
          knownSecrets: session.config.secrets,
        });
      }
      setOutputs(reporter, scaleTestOutputs(error.result));
      await reporter.writeSummary(scaleTestSummary(error.result));
    }
    throw error;
  } finally {
    cancel.dispose();
  }
}
