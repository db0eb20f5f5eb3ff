/** Pull-request plan comments: rendering, the hidden marker, upsert, and the approved-plan check. */
export { comparePlans, findApprovedPlan, type ApprovedPlan, type FindApprovedPlanOptions } from './approval';
export {
  upsertPlanComment,
  type GitHubClient,
  type UpsertPlanCommentOptions,
  type UpsertResult,
} from './github';
export { parseCommentMarker, type PlanMarker } from './marker';
export { createRedactor, redact } from './redact';
export type { DeployGitHubSettings, PlanGitHubSettings } from './settings';
export { COMMENT_BODY_LIMIT, OUTCOME_ROOM, renderPlanComment, type PlanCommentInput } from './render';
export { releaseSection, type ReleaseInput } from './sections';
export { unifiedDiff } from './diff';
export {
  outcomeSection,
  recordApplyOutcome,
  recordApplyOutcomeSafely,
  withOutcome,
  type ApplyOutcome,
} from './outcome';
