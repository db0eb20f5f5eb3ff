import type { TargetState } from '../../src/fleet';

/** The target group of the fleet the fleet, rollout and scale-test tests describe. */
export const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

/** One instance's health in TG, as DescribeTargetHealth reports it. */
export function target(id: string, state = 'healthy', reason?: string): TargetState {
  return {
    targetGroupArn: TG,
    id,
    port: 80,
    state,
    reason,
    description: reason ? 'Health checks failed' : undefined,
  };
}
