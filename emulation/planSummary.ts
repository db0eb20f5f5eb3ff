import type { ChangeAction, OutputChange, PlanSummary, ResourceChange } from '../src/terraform/types';

/**
 * A PlanSummary as summarizePlan makes one, for tests that start from the changes rather than from
 * plan JSON: counts follow the changes, notices are empty unless given.
 */
export function planSummaryOf(
  resourceChanges: ResourceChange[],
  outputChanges: OutputChange[] = [],
  fingerprint = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  extra: Partial<PlanSummary> = {},
): PlanSummary {
  const count = (...actions: ChangeAction[]) =>
    resourceChanges.filter((change) => actions.includes(change.action)).length;
  return {
    add: count('create', 'replace-forget'),
    change: count('update'),
    destroy: count('delete'),
    replace: count('replace', 'replace-create-first'),
    import: resourceChanges.filter((change) => change.importId !== undefined).length,
    move: resourceChanges.filter((change) => change.movedFrom !== undefined).length,
    forget: count('forget', 'replace-forget'),
    other: count('unknown'),
    resourceChanges,
    outputChanges,
    drift: [],
    deferred: [],
    checks: [],
    applyable: true,
    complete: true,
    hasChanges: resourceChanges.some((change) => change.action !== 'read') || outputChanges.length > 0,
    fingerprint,
    bound: [],
    imageOnly: [],
    ...extra,
  };
}
