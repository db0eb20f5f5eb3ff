import { DeployError } from '../errors';
import { readOutputs, type TerraformOutputs } from '../terraform';
import type { ScaleTestTarget } from './types';

/** The stack outputs the scale test is driven by: no alarm or policy name is ever guessed. */
const OUTPUTS = {
  asgName: 'asg_name',
  targetGroupArn: 'target_group_arn',
  policyName: 'scaling_policy_name',
};

export function scaleTestTargetFromOutputs(outputs: TerraformOutputs): ScaleTestTarget {
  const { required, missing, text } = readOutputs(outputs, OUTPUTS);
  if (missing.length > 0) {
    throw new DeployError(
      'terraform-outputs-missing',
      `The stack has no output ${missing.join(', ')}; scale-test reads the group, its target group and its CPU target tracking policy from ${Object.values(OUTPUTS).join(', ')}.`,
      'Apply the current bundled stack (it declares them), declare them in your working-directory configuration, or pass asg-name.',
    );
  }
  return {
    asgName: required.asgName,
    targetGroupArns: [required.targetGroupArn],
    policyName: required.policyName,
    appLogGroup: text('app_log_group'),
  };
}
