/** `rollout`: moves the group the inputs name onto a launch template version, no Terraform. */

import type { RolloutConfig } from '../inputs';
import { rolloutOutputs, rolloutSummary } from '../report';
import type { RolloutResult } from '../rollout';
import { rollOut } from './roll';
import { logConsoleLinks, setOutputs, type Session } from './session';

export async function rolloutCommand(session: Session<RolloutConfig>): Promise<RolloutResult> {
  const { config, dependencies } = session;
  const links = logConsoleLinks(session, config.rollout.asgName, config.rollout.targetGroupArns);
  const result = await rollOut(session, config.rollout);
  setOutputs(dependencies.reporter, rolloutOutputs(result));
  await dependencies.reporter.writeSummary(rolloutSummary(result, links));
  return result;
}
