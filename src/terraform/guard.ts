import { DeployError } from '../errors';
import type { ChangeAction, PlanSummary } from './types';

/**
 * What losing means an outage or lost data: the network the instances live in, the load balancer
 * whose DNS name users reach (a new one gets a new name), the target group, the group itself and
 * the database (a replacement starts empty: its data survives only in snapshots).
 */
export const DEFAULT_PROTECTED_TYPES = [
  'aws_vpc',
  'aws_subnet',
  'aws_lb',
  'aws_lb_target_group',
  'aws_autoscaling_group',
  'aws_db_instance',
] as const;

/** Actions that end the running object, in the words the refusal uses; an unknown action might. */
const DESTRUCTIVE = new Map<ChangeAction, string>([
  ['delete', 'destroy'],
  ['replace', 'replace'],
  ['replace-create-first', 'replace'],
  ['unknown', 'unknown action on'],
]);

export interface DestroyGuardOptions {
  protectedTypes: readonly string[];
  allowDestroy: boolean;
}

/**
 * Refuses a plan that deletes or replaces a protected resource, listing each one and why
 * Terraform plans it, unless the run allows it. Undefined when the plan may be applied.
 */
export function destroyGuard(summary: PlanSummary, options: DestroyGuardOptions): DeployError | undefined {
  if (options.allowDestroy) return undefined;
  const protectedTypes = new Set(options.protectedTypes);
  const blocked = summary.resourceChanges.filter(
    (change) => DESTRUCTIVE.has(change.action) && protectedTypes.has(change.type),
  );
  if (blocked.length === 0) return undefined;
  const lines = blocked.map(
    (change) =>
      `  ${DESTRUCTIVE.get(change.action) ?? change.action} ${change.address}${change.reason ? ` (${change.reason})` : ''}`,
  );
  return new DeployError(
    'destroy-blocked',
    `The plan would destroy or replace ${blocked.length} protected resource${blocked.length === 1 ? '' : 's'}; nothing was applied:\n${lines.join('\n')}`,
    'If this is intended (a planned migration with downtime accepted), re-run with allow-destroy: true; otherwise ' +
      'change the configuration so these resources are updated in place. protected-resource-types lists the guarded types.',
  );
}
