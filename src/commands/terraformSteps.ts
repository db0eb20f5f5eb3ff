/** The Terraform steps `plan` and `deploy` share: plan with an image, and the destroy guard. */

import { join } from 'node:path';
import type { DeployConfig, PlanConfig } from '../inputs';
import { destroyGuard, type TerraformPlan } from '../terraform';
import type { Session } from './session';

export async function planWithImage(
  session: Session<PlanConfig | DeployConfig>,
  image: string,
  name: string,
): Promise<TerraformPlan> {
  const { terraform } = session.config;
  return session.terraform.plan({
    variables: terraform.variables,
    overrides: { image },
    varFiles: terraform.varFiles,
    planFile: join(session.workDir, `${name}.tfplan`),
  });
}

/** Fails with the protected resources a plan would delete or replace, unless allowed. */
export function guardDestroys(session: Session<PlanConfig | DeployConfig>, plan: TerraformPlan): void {
  const { allowDestroy, protectedResourceTypes } = session.config.terraform;
  const refusal = destroyGuard(plan.summary, { allowDestroy, protectedTypes: protectedResourceTypes });
  if (refusal) throw refusal;
}
