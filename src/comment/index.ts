/** Pull-request plan comments: rendering, the hidden marker, upsert, and the approved-plan check. */
export { comparePlans, findApprovedPlan, type ApprovedPlan, type FindApprovedPlanOptions } from './approval';
export {
  upsertPlanComment,
  type GitHubClient,
  type UpsertPlanCommentOptions,
  type UpsertResult,
} from './github';
export { parseCommentMarker, type PlanMarker } from './marker';
export { redact } from './redact';
export { COMMENT_BODY_LIMIT, renderPlanComment, type PlanCommentInput } from './render';
