import { DeployError } from '../errors';
import { canonicalJson, createPlanBinder, type PlanBinder } from './binding';
import type {
  ChangeAction,
  CheckResult,
  DeferredChange,
  OutputChange,
  PlanCounts,
  PlanSummary,
  ResourceChange,
} from './types';

/**
 * Reads `terraform show -json <planfile>` (Terraform 0.12 to 1.x and OpenTofu write the same
 * document). Every field is read defensively: an entry of an unexpected shape or an action list
 * this version does not know is shown and counted as `other`, never dropped and never a crash.
 */

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Terraform's action lists (jsonplan actionString), in the order Terraform writes them. */
const ACTIONS: Record<string, ChangeAction> = {
  'no-op': 'no-op',
  create: 'create',
  read: 'read',
  update: 'update',
  delete: 'delete',
  forget: 'forget',
  'delete,create': 'replace',
  'create,delete': 'replace-create-first',
  'create,forget': 'replace-forget',
};

function actionsText(actions: unknown): string {
  if (Array.isArray(actions)) return actions.map(String).join(',');
  return actions === undefined ? '(no actions)' : JSON.stringify(actions);
}

function changeAction(actions: unknown): ChangeAction {
  return ACTIONS[actionsText(actions)] ?? 'unknown';
}

function notAPlan(detail: string): DeployError {
  return new DeployError(
    'terraform-plan-unreadable',
    `terraform show -json did not return a plan Terraform's JSON format describes: ${detail}.`,
    'Check that show -json was given a saved plan file (terraform plan -out) and that the runner’s Terraform ' +
      '(1.6 or newer) or OpenTofu wrote it; report it if it persists.',
  );
}

/** The address to show: Terraform's, a deposed object marked as such, or one pieced together. */
function addressOf(resource: Json, index: number): string {
  const address =
    asString(resource.address) ??
    ([asString(resource.module_address), asString(resource.type), asString(resource.name)]
      .filter(Boolean)
      .join('.') ||
      `(resource change #${index + 1} without an address)`);
  const deposed = asString(resource.deposed);
  return deposed ? `${address} (deposed object ${deposed})` : address;
}

/** The import source: the ID, or the identity object of Terraform 1.12+, '' when known after apply. */
function importIdOf(importing: unknown): string | undefined {
  if (importing === undefined || importing === null) return undefined;
  const fields = asObject(importing);
  if (typeof fields.id === 'string') return fields.id;
  if (fields.identity !== undefined) return canonicalJson(fields.identity);
  return '';
}

function readResourceChange(
  entry: unknown,
  index: number,
): { resource: ResourceChange; change: Json; entry: Json } {
  const resource = asObject(entry);
  const change = asObject(resource.change);
  const address = addressOf(resource, index);
  const action = changeAction(change.actions);
  const previous = asString(resource.previous_address);
  const importId = importIdOf(change.importing);
  const reason = asString(resource.action_reason);
  return {
    change,
    entry: resource,
    resource: {
      address,
      type: asString(resource.type) ?? '',
      action,
      ...(reason ? { reason } : {}),
      ...(importId !== undefined ? { importId } : {}),
      ...(previous && previous !== address ? { movedFrom: previous } : {}),
      ...(action === 'unknown' ? { rawActions: actionsText(change.actions) } : {}),
    },
  };
}

/** Counts as Terraform's "Plan:" line words them, except that a replacement counts once, as one. */
function count(counts: PlanCounts, change: ResourceChange): void {
  const byAction: Partial<Record<ChangeAction, (keyof PlanCounts)[]>> = {
    create: ['add'],
    update: ['change'],
    delete: ['destroy'],
    replace: ['replace'],
    'replace-create-first': ['replace'],
    // The new object is added; the old one is forgotten, not destroyed.
    'replace-forget': ['add', 'forget'],
    forget: ['forget'],
    unknown: ['other'],
  };
  for (const key of byAction[change.action] ?? []) counts[key] += 1;
  if (change.importId !== undefined) counts.import += 1;
  if (change.movedFrom !== undefined) counts.move += 1;
}

function isShown(change: ResourceChange): boolean {
  return change.action !== 'no-op' || change.importId !== undefined || change.movedFrom !== undefined;
}

function outputAction(actions: unknown): OutputChange['action'] | undefined {
  const action = changeAction(actions);
  if (action === 'no-op' || action === 'read') return undefined;
  if (action === 'create' || action === 'delete') return action;
  // Outputs are only ever created, updated or deleted; anything else is still a change.
  return 'update';
}

function readOutputChanges(outputs: unknown, binder: PlanBinder): OutputChange[] {
  const changes: OutputChange[] = [];
  for (const [name, value] of Object.entries(asObject(outputs))) {
    const change = asObject(value);
    const action = outputAction(change.actions);
    if (action === undefined) continue;
    const sensitive = change.after_sensitive === true || change.before_sensitive === true;
    changes.push({ name, action, sensitive });
    binder.output(name, change, action);
  }
  return changes.sort((a, b) => compareText(a.name, b.name));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Checks whose status is not a pass, each with the problems its failing instances reported. */
function readChecks(checks: unknown): CheckResult[] {
  return asArray(checks)
    .map(asObject)
    .filter((check) => check.status === 'fail' || check.status === 'error')
    .map((check) => {
      const address = asObject(check.address);
      const problems = asArray(check.instances)
        .flatMap((instance) => asArray(asObject(instance).problems))
        .map((problem) => asString(asObject(problem).message))
        .filter((message): message is string => message !== undefined);
      return {
        address: asString(address.to_display) ?? asString(address.name) ?? '(check)',
        status: String(check.status),
        problems: [...new Set(problems)],
      };
    });
}

function readDeferred(deferred: unknown): DeferredChange[] {
  return asArray(deferred).map((entry, index) => {
    const fields = asObject(entry);
    return {
      address: addressOf(asObject(fields.resource_change), index),
      reason: asString(fields.reason) ?? 'unknown',
    };
  });
}

/** Drift that matters to this plan is listed in relevant_attributes; the rest is noise. */
function readDrift(drift: unknown, relevant: unknown): ResourceChange[] {
  const relevantAddresses = new Set(asArray(relevant).map((entry) => asString(asObject(entry).resource)));
  return asArray(drift)
    .map((entry, index) => readResourceChange(entry, index).resource)
    .filter((change) => change.action !== 'no-op')
    .map((change) =>
      relevantAddresses.has(change.address) ? { ...change, reason: 'relevant_to_plan' } : change,
    )
    .sort((a, b) => compareText(a.address, b.address));
}

/**
 * What a saved plan will do: counts, each changed resource (imports, moves and forgets included)
 * and output, drift, deferred changes, failed checks, and what a deploy binds of it (binding.ts):
 * a fingerprint over the planned values, image taken out and sensitive values masked.
 */
export function summarizePlan(planJson: unknown): PlanSummary {
  if (planJson === null || typeof planJson !== 'object' || Array.isArray(planJson)) {
    throw notAPlan('not a JSON object');
  }
  const plan = planJson as Json;
  if (typeof plan.format_version !== 'string' && !Array.isArray(plan.resource_changes)) {
    throw notAPlan('neither a format_version nor resource_changes (is it a state rather than a plan?)');
  }
  const counts: PlanCounts = {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    import: 0,
    move: 0,
    forget: 0,
    other: 0,
  };
  const resourceChanges: ResourceChange[] = [];
  const binder = createPlanBinder(plan);
  asArray(plan.resource_changes).forEach((item, index) => {
    const { resource, change, entry } = readResourceChange(item, index);
    if (!isShown(resource)) return;
    count(counts, resource);
    resourceChanges.push(resource);
    binder.resource(entry, change, resource);
  });
  resourceChanges.sort((a, b) => compareText(a.address, b.address));
  const outputChanges = readOutputChanges(plan.output_changes, binder);
  const { fingerprint, changes: bound, imageOnly } = binder.finish();
  const changesSomething = Object.values(counts).some((value) => value > 0);
  return {
    ...counts,
    resourceChanges,
    outputChanges,
    drift: readDrift(plan.resource_drift, plan.relevant_attributes),
    deferred: readDeferred(plan.deferred_changes),
    checks: readChecks(plan.checks),
    applyable: plan.applyable !== false && plan.errored !== true,
    complete: plan.complete !== false,
    hasChanges: changesSomething || outputChanges.length > 0,
    fingerprint,
    bound,
    imageOnly,
  };
}

/** Counts as one line: `1 to import, 2 to add, …`, kinds that only some plans have only when present. */
export function describeCounts(summary: PlanSummary): string {
  if (!summary.hasChanges) return 'no changes';
  const parts = [
    summary.import > 0 ? `${summary.import} to import` : undefined,
    `${summary.add} to add`,
    `${summary.change} to change`,
    `${summary.destroy} to destroy`,
    `${summary.replace} to replace`,
    summary.move > 0 ? `${summary.move} to move` : undefined,
    summary.forget > 0 ? `${summary.forget} to forget` : undefined,
    summary.other > 0 ? `${summary.other} of an unknown kind` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
