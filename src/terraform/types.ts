/** Shapes shared by the terraform stage (which produces them) and the PR comment (which shows them). */

/** What Terraform will do to one resource; `replace` covers both delete-then-create orders. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'read';

export interface ResourceChange {
  address: string;
  type: string;
  action: ChangeAction;
  /** Why Terraform replaces it (`action_reason` in plan JSON), when it does. */
  reason?: string;
}

export interface OutputChange {
  name: string;
  action: Exclude<ChangeAction, 'replace' | 'read'>;
  sensitive: boolean;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Replacements are counted here only, not also in add and destroy. */
  replace: number;
  /** Every resource change except no-ops, in address order. */
  resourceChanges: ResourceChange[];
  outputChanges: OutputChange[];
  hasChanges: boolean;
  /**
   * sha256 over the normalised planned changes (addresses, actions and planned values, sensitive
   * values replaced by a marker), so the plan shown on a PR can be compared with the plan a deploy
   * is about to apply, without storing any value.
   */
  fingerprint: string;
}
