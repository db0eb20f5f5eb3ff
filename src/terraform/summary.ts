import { createHash } from 'node:crypto';
import { DeployError } from '../errors';
import type { ChangeAction, OutputChange, PlanSummary, ResourceChange } from './types';

interface PlannedChange {
  actions?: unknown;
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
}

interface PlannedResourceChange {
  address?: unknown;
  type?: unknown;
  action_reason?: unknown;
  change?: PlannedChange;
}

interface PlanJson {
  format_version?: unknown;
  resource_changes?: unknown;
  output_changes?: unknown;
}

/** Stands in for every sensitive value in the fingerprint input: the hash must not depend on secrets. */
const SENSITIVE = '(sensitive)';

function changeAction(actions: unknown): ChangeAction | 'no-op' | undefined {
  if (!Array.isArray(actions)) return undefined;
  const key = (actions as unknown[]).map(String).sort().join(',');
  switch (key) {
    case 'no-op':
      return 'no-op';
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
      return key;
    case 'create,delete':
      // Both orders: create_before_destroy plans ["create","delete"], the default ["delete","create"].
      return 'replace';
    default:
      return undefined;
  }
}

/**
 * Replaces sensitive values by a marker. `sensitivity` mirrors `value`'s shape, with `true` where
 * Terraform marks a value sensitive (plan JSON's before_sensitive / after_sensitive).
 */
function maskSensitive(value: unknown, sensitivity: unknown): unknown {
  if (sensitivity === true) return SENSITIVE;
  if (Array.isArray(value)) {
    return value.map((item, i) => maskSensitive(item, Array.isArray(sensitivity) ? sensitivity[i] : undefined));
  }
  if (value !== null && typeof value === 'object') {
    const marks = sensitivity !== null && typeof sensitivity === 'object' ? (sensitivity as Record<string, unknown>) : {};
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, maskSensitive(item, marks[key])]),
    );
  }
  return value;
}

/** JSON with object keys sorted, so equal plans hash equally whatever order Terraform printed. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  // Values come from parsed JSON, so there is no undefined or function to drop here.
  return JSON.stringify(value);
}

function fingerprintOf(change: PlannedChange, address: string, action: string): unknown {
  return {
    address,
    action,
    before: maskSensitive(change.before, change.before_sensitive),
    after: maskSensitive(change.after, change.after_sensitive),
    afterUnknown: change.after_unknown,
  };
}

function notAPlan(detail: string): DeployError {
  return new DeployError(
    'terraform-plan-unreadable',
    `terraform show -json did not return a plan Terraform's JSON format describes: ${detail}.`,
    'Check the Terraform version on the runner (1.6 or newer is supported) and re-run; report it if it persists.',
  );
}

/**
 * What a saved plan will do, from `terraform show -json <planfile>`: counts as Terraform's
 * "Plan:" line gives them (a replacement counts once, as a replacement), each changed resource
 * and output, and a fingerprint over the planned values with sensitive values masked.
 */
export function summarizePlan(planJson: unknown): PlanSummary {
  if (planJson === null || typeof planJson !== 'object') throw notAPlan('not a JSON object');
  const plan = planJson as PlanJson;
  if (typeof plan.format_version !== 'string') throw notAPlan('no format_version');
  const resourceChanges: ResourceChange[] = [];
  const counted = { create: 0, update: 0, delete: 0, replace: 0, read: 0 };
  const fingerprintInput: unknown[] = [];
  const planned = Array.isArray(plan.resource_changes) ? (plan.resource_changes as PlannedResourceChange[]) : [];
  for (const resource of planned) {
    const action = changeAction(resource.change?.actions);
    if (typeof resource.address !== 'string' || action === undefined) {
      throw notAPlan(`a resource change without address or known actions (${JSON.stringify(resource.change?.actions)})`);
    }
    if (action === 'no-op') continue;
    counted[action] += 1;
    resourceChanges.push({
      address: resource.address,
      type: typeof resource.type === 'string' ? resource.type : '',
      action,
      ...(typeof resource.action_reason === 'string' ? { reason: resource.action_reason } : {}),
    });
    fingerprintInput.push(fingerprintOf(resource.change ?? {}, resource.address, action));
  }

  const outputChanges: OutputChange[] = [];
  const outputs = (plan.output_changes ?? {}) as Record<string, PlannedChange>;
  for (const [name, change] of Object.entries(outputs)) {
    const action = changeAction(change.actions);
    if (action === 'no-op' || action === undefined || action === 'read' || action === 'replace') continue;
    const sensitive = change.after_sensitive === true || change.before_sensitive === true;
    outputChanges.push({ name, action, sensitive });
    fingerprintInput.push(fingerprintOf(change, `output.${name}`, action));
  }

  resourceChanges.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  outputChanges.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  fingerprintInput.sort((a, b) => {
    const left = canonicalJson(a);
    const right = canonicalJson(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
  const changesResources = counted.create + counted.update + counted.delete + counted.replace > 0;
  return {
    add: counted.create,
    change: counted.update,
    destroy: counted.delete,
    replace: counted.replace,
    resourceChanges,
    outputChanges,
    hasChanges: changesResources || outputChanges.length > 0,
    fingerprint: `sha256:${createHash('sha256').update(canonicalJson(fingerprintInput)).digest('hex')}`,
  };
}

/** Counts as one line: `2 to add, 1 to change, 0 to destroy, 1 to replace`, or `no changes`. */
export function describeCounts(summary: PlanSummary): string {
  if (!summary.hasChanges) return 'no changes';
  const { add, change, destroy, replace } = summary;
  return `${add} to add, ${change} to change, ${destroy} to destroy, ${replace} to replace`;
}
