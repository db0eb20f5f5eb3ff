import type { BoundChange } from './binding';

/** Shapes shared by the terraform stage (which produces them) and the PR comment (which shows them). */

/**
 * What Terraform will do to one resource. The two replace orders are kept apart because they differ
 * in downtime: `replace` deletes first (`-/+`, Terraform's default), `replace-create-first` is
 * create_before_destroy (`+/-`). `replace-forget` creates a new object and leaves the old one
 * running unmanaged (`+/.`, a `removed` block with destroy = false on a replaced resource).
 * `no-op` appears only for a resource that is imported or moved without other change; `unknown` is
 * an action list this version does not know, shown as Terraform wrote it.
 */
export type ChangeAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'replace'
  | 'replace-create-first'
  | 'replace-forget'
  | 'read'
  | 'forget'
  | 'no-op'
  | 'unknown';

export interface ResourceChange {
  address: string;
  type: string;
  action: ChangeAction;
  /** Why Terraform replaces it (`action_reason` in plan JSON), when it does. */
  reason?: string;
  /** The ID Terraform imports the object from (`importing.id`); empty when only known after apply. */
  importId?: string;
  /** The address the object had before a `moved` block or an implicit count/for_each move. */
  movedFrom?: string;
  /** The action list as Terraform wrote it, for an action this version does not know. */
  rawActions?: string;
}

export interface OutputChange {
  name: string;
  action: 'create' | 'update' | 'delete';
  sensitive: boolean;
}

/** A `check` block or condition whose result is not a pass (plan JSON `checks`). */
export interface CheckResult {
  address: string;
  /** `fail` or `error`, as Terraform writes it. */
  status: string;
  problems: string[];
}

/** A change Terraform postponed to a later plan (plan JSON `deferred_changes`). */
export interface DeferredChange {
  address: string;
  reason: string;
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  /** Replacements of both orders, counted here only, not also in add and destroy. */
  replace: number;
  import: number;
  move: number;
  /** Objects Terraform stops managing without destroying them. */
  forget: number;
  /** Resource changes with an action this version does not know: shown and counted, never dropped. */
  other: number;
}

export interface PlanSummary extends PlanCounts {
  /** Every resource change except plain no-ops, in address order. */
  resourceChanges: ResourceChange[];
  outputChanges: OutputChange[];
  /** Changes made outside Terraform that the plan detected (`resource_drift`). */
  drift: ResourceChange[];
  deferred: DeferredChange[];
  /** Checks that did not pass. */
  checks: CheckResult[];
  /** Terraform says the plan cannot be applied (`applyable: false`) or is incomplete. */
  applyable: boolean;
  complete: boolean;
  hasChanges: boolean;
  /**
   * sha256 over the normalised planned changes (addresses, actions, imports, moves and planned
   * values, sensitive values replaced by a marker, the image reference taken out, changes that are
   * the image alone left out: binding.ts), so the plan shown on a PR can be compared with the saved
   * plan a deploy applies at a new image, without storing any value.
   */
  fingerprint: string;
  /** Each change the fingerprint covers, with its own digest: names what differs. */
  bound: BoundChange[];
  /** Resources and outputs whose change is the image alone (`output.<name>` for outputs). */
  imageOnly: string[];
}
