import { DeployError, errorMessage } from '../errors';
import type { FailureReason } from '../failures';
import type { Logger } from '../log';
import { commitPullRequests, mergedPullRequest } from './approval';
import { findPlanComment, gitHubFailure, type GitHubClient } from './github';
import { codeSpan, escapeText, linkTarget } from '../markdown';
import { COMMENT_BODY_LIMIT, OUTCOME_ROOM } from './render';

/**
 * After a deploy, the plan comment of the pull request the deployed commit came from says what
 * happened to its plan: applied, or failed and why. The pull request is found as the approved-plan
 * check finds it (the merged pull request of the commit), the comment as upsert finds it (this
 * tool's marker, written by the token's identity), and the outcome replaces an earlier one in place.
 */

const OUTCOME_START = '<!-- ha-django-deploy:outcome -->';
const OUTCOME_END = '<!-- /ha-django-deploy:outcome -->';

/** The failure message is cut to this many characters: the run log has all of it. */
const MAX_MESSAGE_LENGTH = 900;

export interface ApplyOutcome {
  /** `applied`: Terraform applied the plan and the rollout finished; `nothing-to-apply`: no changes. */
  status: 'applied' | 'nothing-to-apply' | 'rollout-failed' | 'not-applied';
  /** The deployed commit. */
  commit: string;
  runUrl: string;
  /** `1 to add, 2 to change, …` of the applied plan. */
  counts?: string;
  /** For a failure: the stable reason code and the message the log shows. */
  reason?: FailureReason;
  message?: string;
}

const STATUS_TEXT: Record<ApplyOutcome['status'], string> = {
  applied: ':white_check_mark: **Applied**',
  'nothing-to-apply': ':white_check_mark: **Deployed; nothing to apply**',
  'rollout-failed': ':x: **Applied, but the rollout failed**',
  'not-applied': ':x: **Not applied**',
};

function cut(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH)} …`;
}

/** The outcome as the block that goes right under the comment's title; never longer than OUTCOME_ROOM. */
export function outcomeSection(outcome: ApplyOutcome, secretMask: (text: string) => string): string {
  const target = linkTarget(outcome.runUrl);
  const run = target ? `[deploy run](${target})` : 'deploy run';
  const commit = /^[0-9a-f]{40}$/.test(outcome.commit) ? outcome.commit : codeSpan(outcome.commit);
  const lines = [
    `${STATUS_TEXT[outcome.status]} at commit ${commit} by the ${run}${outcome.counts ? ` (${escapeText(outcome.counts)})` : ''}.`,
  ];
  if (outcome.reason) {
    lines.push(
      `Failure reason: ${codeSpan(outcome.reason)}: ${escapeText(cut(secretMask(outcome.message ?? '')))}`,
    );
  }
  const section = [OUTCOME_START, ...lines, OUTCOME_END].join('\n');
  return section.length <= OUTCOME_ROOM
    ? section
    : `${section.slice(0, OUTCOME_ROOM - OUTCOME_END.length - 2)} …\n${OUTCOME_END}`;
}

/**
 * The body with the outcome in place of an earlier one, or after the title line. The outcome
 * always sits right after the title, and only there is one recognised: a plan, a diff or a warning
 * further down may quote the outcome's delimiters, and must not be taken for (or replaced as) it.
 */
export function withOutcome(body: string, section: string): string {
  const title = body.indexOf('\n###');
  const afterTitle = title < 0 ? -1 : body.indexOf('\n', title + 1);
  if (afterTitle < 0) return `${body}\n\n${section}`;
  const earlierStart = afterTitle + '\n\n'.length;
  const end = body.indexOf(OUTCOME_END, earlierStart);
  if (body.startsWith(`\n\n${OUTCOME_START}`, afterTitle) && end >= 0)
    return `${body.slice(0, earlierStart)}${section}${body.slice(end + OUTCOME_END.length)}`;
  const updated = `${body.slice(0, afterTitle)}\n\n${section}${body.slice(afterTitle)}`;
  // A comment from before OUTCOME_ROOM existed may have used the whole limit: keep the body then.
  return updated.length <= COMMENT_BODY_LIMIT ? updated : body;
}

export interface RecordOutcomeOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  commitSha: string;
  workingDirectory: string;
  outcome: ApplyOutcome;
  secretMask: (text: string) => string;
  log: Logger;
}

const OUTCOME_PERMISSION_HELP =
  'Give the deploy job `permissions: pull-requests: write` so it can update the plan comment, or set comment-on-pr: false.';

/**
 * Writes the outcome into the plan comment. Returns the comment's URL, or undefined when the commit
 * has no merged pull request or that has no plan comment (a manual deploy, a direct push).
 */
export async function recordApplyOutcome(options: RecordOutcomeOptions): Promise<string | undefined> {
  const { octokit, owner, repo, commitSha, workingDirectory, log } = options;
  const pulls = await commitPullRequests({ octokit, owner, repo, commitSha }, OUTCOME_PERMISSION_HELP);
  const pull = mergedPullRequest(pulls, commitSha);
  if (!pull) {
    log.info(`No merged pull request has commit ${commitSha}, so no plan comment records this deploy.`);
    return undefined;
  }
  const target = { octokit, owner, repo, issueNumber: pull.number, workingDirectory };
  try {
    const comment = await findPlanComment(target, log);
    if (!comment) {
      log.info(
        `Pull request #${pull.number} has no plan comment for ${workingDirectory} to record this deploy on.`,
      );
      return undefined;
    }
    const { data } = await octokit.rest.issues.getComment({ owner, repo, comment_id: comment.id });
    const body = withOutcome(data.body ?? '', outcomeSection(options.outcome, options.secretMask));
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body });
    log.info(`Recorded the deploy outcome (${options.outcome.status}) on the plan comment ${comment.url}`);
    return comment.url;
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw gitHubFailure(
      error,
      `Updating the plan comment of pull request #${pull.number}`,
      OUTCOME_PERMISSION_HELP,
    );
  }
}

/** recordApplyOutcome for a deploy that must not fail because of it: a failure is logged as a warning. */
export async function recordApplyOutcomeSafely(options: RecordOutcomeOptions): Promise<void> {
  try {
    await recordApplyOutcome(options);
  } catch (error) {
    const detail = error instanceof DeployError ? `${error.message} ${error.nextSteps}` : errorMessage(error);
    options.log.warning(`Could not record the deploy outcome on the pull request: ${detail.trim()}`);
  }
}
