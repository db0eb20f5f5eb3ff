import type { getOctokit } from '@actions/github';
import { DeployError, errorMessage } from '../errors';
import type { Logger } from '../log';
import { parseCommentMarker, type PlanMarker } from './marker';

/** The Octokit that `@actions/github` hands out: REST methods plus pagination. */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** GitHub's largest page; fewer requests on pull requests with long discussions. */
const PAGE_SIZE = 100;

export interface PlanCommentTarget {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  workingDirectory: string;
}

export interface PlanComment {
  id: number;
  url: string;
  marker: PlanMarker;
  /** When the comment was last written (GitHub's updated_at, ISO 8601). */
  updatedAt: string;
}

interface MarkedComment extends PlanComment {
  authorLogin: string | undefined;
  authorType: string | undefined;
}

interface GitHubAnswer {
  status: number;
  message: string;
}

/**
 * The HTTP answer behind an Octokit error, or undefined when GitHub never answered: Octokit reports
 * a refused connection as status 500 too, but without a response.
 */
function gitHubAnswer(error: unknown): GitHubAnswer | undefined {
  const shaped = error as { status?: unknown; response?: { data?: { message?: unknown } } } | null;
  if (typeof shaped?.status !== 'number' || shaped.response === undefined) return undefined;
  const message = shaped.response.data?.message;
  // GitHub's own message; Octokit's appends the documentation URL.
  return { status: shaped.status, message: typeof message === 'string' ? message : errorMessage(error) };
}

/**
 * A failed GitHub call as a DeployError: what was attempted, GitHub's answer, and what to change.
 * `permissionHelp` is the advice for 401/403, which depends on what the token was needed for.
 */
export function gitHubFailure(error: unknown, attempted: string, permissionHelp: string): DeployError {
  const answer = gitHubAnswer(error);
  if (!answer) {
    return new DeployError(
      'github-unreachable',
      `${attempted} failed: GitHub could not be reached (${errorMessage(error)}).`,
      'Re-run the job; on GitHub Enterprise Server, check that GITHUB_API_URL points at its API.',
    );
  }
  const message = `${attempted} failed: GitHub answered ${answer.status} ${answer.message}`;
  if ((answer.status === 403 || answer.status === 429) && /rate limit/i.test(answer.message)) {
    return new DeployError(
      'github-rate-limited',
      message,
      'GitHub is rate limiting this token: re-run the job in a few minutes.',
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    return new DeployError('github-forbidden', message, permissionHelp);
  }
  if (answer.status === 404) {
    return new DeployError(
      'github-not-found',
      message,
      'Check that github-token belongs to this repository (or has access to it) and that the pull request exists.',
    );
  }
  return new DeployError(
    'github-error',
    message,
    'Re-run the job; if it keeps failing, check https://www.githubstatus.com.',
  );
}

/**
 * The account the workflow's GITHUB_TOKEN writes as. GET /user refuses installation tokens (403),
 * so this identity is known rather than asked.
 */
export const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

/** Who writes this action's comments: the only author whose plan comments are trusted or edited. */
export interface CommentIdentity {
  login: string;
  type: 'User' | 'Bot';
}

/**
 * The identity the token comments as: a personal token's own user (GET /user answers), or, for the
 * workflow's GITHUB_TOKEN (GET /user answers 403), github-actions[bot]. No other account's comment
 * counts, however it looks.
 */
export async function tokenIdentity(octokit: GitHubClient): Promise<CommentIdentity> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { login: data.login, type: data.type === 'Bot' ? 'Bot' : 'User' };
  } catch (error) {
    if (gitHubAnswer(error)?.status === 403) return { login: WORKFLOW_TOKEN_LOGIN, type: 'Bot' };
    throw error;
  }
}

/**
 * Every comment on the pull request that carries this tool's marker for the working directory,
 * newest edit first. Reads every page: the marker may sit anywhere in a long discussion.
 */
async function listMarkedComments(target: PlanCommentTarget): Promise<MarkedComment[]> {
  const { octokit, owner, repo, issueNumber, workingDirectory } = target;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: PAGE_SIZE,
  });
  const marked: MarkedComment[] = [];
  for (const comment of comments) {
    const marker = parseCommentMarker(comment.body);
    if (marker?.workingDirectory !== workingDirectory) continue;
    marked.push({
      id: comment.id,
      url: comment.html_url,
      marker,
      authorLogin: comment.user?.login,
      authorType: comment.user?.type,
      updatedAt: comment.updated_at,
    });
  }
  return marked.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/**
 * This tool's plan comment for the pull request and working directory, or undefined. Only comments
 * written by the identity the token comments as count (tokenIdentity), so a marker in anybody
 * else's comment, a person's or another bot's, is never overwritten nor trusted as an approved
 * plan. When several qualify (two runs raced), the most recently edited wins and the others are
 * reported.
 */
export async function findPlanComment(
  target: PlanCommentTarget,
  log: Logger,
): Promise<PlanComment | undefined> {
  const marked = await listMarkedComments(target);
  if (marked.length === 0) return undefined;
  const identity = await tokenIdentity(target.octokit);
  const own = marked.filter(
    (comment) => comment.authorLogin === identity.login && comment.authorType === identity.type,
  );
  const ignored = marked.length - own.length;
  if (ignored > 0) {
    log.info(
      `Ignoring ${ignored} comment${ignored === 1 ? '' : 's'} with a plan marker not written by ${identity.login}, ` +
        'the account this action comments as.',
    );
  }
  const [chosen, ...duplicates] = own;
  if (duplicates.length > 0) {
    log.warning(
      `Found ${own.length} plan comments for ${target.workingDirectory}; using the latest, ${chosen?.url}. ` +
        `Delete the others: ${duplicates.map((comment) => comment.url).join(', ')}`,
    );
  }
  return chosen && { id: chosen.id, url: chosen.url, marker: chosen.marker, updatedAt: chosen.updatedAt };
}

export interface UpsertPlanCommentOptions extends PlanCommentTarget {
  /** The rendered comment (renderPlanComment), marker included. */
  body: string;
  log: Logger;
}

export interface UpsertResult {
  action: 'created' | 'updated';
  commentId: number;
  url: string;
}

const COMMENT_PERMISSION_HELP =
  'Give the job `permissions: pull-requests: write`. Pull requests from forks only get a read-only ' +
  'token: skip the comment for them with ' +
  '`comment-on-pr: ${{ github.event.pull_request.head.repo.full_name == github.repository }}`, ' +
  'or set comment-on-pr: false.';

/**
 * Creates the pull request's plan comment for this working directory, or updates it in place on
 * later runs, so a pull request carries one current plan however often it is pushed.
 */
export async function upsertPlanComment(options: UpsertPlanCommentOptions): Promise<UpsertResult> {
  const { octokit, owner, repo, issueNumber, workingDirectory, body, log } = options;
  let existing: PlanComment | undefined;
  try {
    existing = await findPlanComment({ octokit, owner, repo, issueNumber, workingDirectory }, log);
  } catch (error) {
    throw gitHubFailure(
      error,
      `Reading the comments of pull request #${issueNumber}`,
      COMMENT_PERMISSION_HELP,
    );
  }

  if (existing) {
    try {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body,
      });
      log.info(`Updated the plan comment ${data.html_url}`);
      return { action: 'updated', commentId: data.id, url: data.html_url };
    } catch (error) {
      // Deleted between the listing and now: a new comment takes its place.
      if (gitHubAnswer(error)?.status !== 404) {
        throw gitHubFailure(error, `Updating plan comment ${existing.url}`, COMMENT_PERMISSION_HELP);
      }
      log.info(`The plan comment ${existing.url} was deleted meanwhile; creating a new one.`);
    }
  }

  try {
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body,
    });
    log.info(`Created the plan comment ${data.html_url}`);
    return { action: 'created', commentId: data.id, url: data.html_url };
  } catch (error) {
    throw gitHubFailure(error, `Commenting on pull request #${issueNumber}`, COMMENT_PERMISSION_HELP);
  }
}
