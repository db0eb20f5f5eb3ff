/**
 * What the plan comment and the approval check may do on GitHub. Each union holds a token wherever
 * the GitHub API is called: the inputs refuse the combinations that would call it without one.
 */

/** `plan` comments its plan on the pull request, with a token. */
export type PlanGitHubSettings = { requireApprovedPlan: false } & (
  { commentOnPr: true; token: string } | { commentOnPr: false; token: string | undefined }
);

/**
 * `deploy` checks the approved plan with a token; it records its outcome on the pull request when
 * comment-on-pr is on and a token was given.
 */
export type DeployGitHubSettings = { commentOnPr: boolean } & (
  { requireApprovedPlan: true; token: string } | { requireApprovedPlan: false; token: string | undefined }
);
