import { DeployError } from '../errors';
import type { Logger } from '../log';
import type { PlanSummary } from '../terraform';
import { findPlanComment, gitHubFailure, type GitHubClient, type PlanComment } from './github';
import { formatCount } from '../markdown';
import {
  boundCounts,
  changeEntry,
  compareAddresses,
  parseChangeEntry,
  valueEntry,
  type PlanCounts,
  type PlanMarker,
} from './marker';

/** The plan reviewers saw on the merged pull request, as its comment recorded it. */
export interface ApprovedPlan {
  pullRequest: { number: number; url: string };
  commentUrl: string;
  fingerprint: string;
  /** The commit the approved plan was made at. */
  plannedCommit: string;
  marker: PlanMarker;
}

export interface FindApprovedPlanOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  commitSha: string;
  workingDirectory: string;
  log: Logger;
}

const APPROVAL_PERMISSION_HELP =
  'Give the deploy job `permissions: pull-requests: read` and `contents: read`, or set ' +
  'require-approved-plan: false.';

const NO_APPROVAL_HELP =
  'Deploy commits that reach the branch through a pull request whose plan job commented ' +
  '(comment-on-pr: true), or set require-approved-plan: false for this run (a manual rollback, say).';

/** At most this many lines per list in a plan difference; the rest are counted. */
const MAX_DIFF_LINES = 50;

export interface AssociatedPullRequest {
  number: number;
  html_url: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
}

/**
 * The merged pull request a commit came from: the one it is the merge (or squash) commit of, else
 * the most recently merged one that contains it.
 */
export function mergedPullRequest(
  pulls: AssociatedPullRequest[],
  commitSha: string,
): AssociatedPullRequest | undefined {
  const merged = pulls.filter((pull) => pull.merged_at !== null);
  return (
    merged.find((pull) => pull.merge_commit_sha === commitSha) ??
    merged.sort((a, b) => (b.merged_at ?? '').localeCompare(a.merged_at ?? ''))[0]
  );
}

/** Every pull request GitHub associates with a commit; a refused lookup says which permission helps. */
export async function commitPullRequests(
  target: { octokit: GitHubClient; owner: string; repo: string; commitSha: string },
  permissionHelp: string,
): Promise<AssociatedPullRequest[]> {
  const { octokit, owner, repo, commitSha } = target;
  try {
    return await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner,
      repo,
      commit_sha: commitSha,
      per_page: 100,
    });
  } catch (error) {
    throw gitHubFailure(error, `Looking up the pull requests of commit ${commitSha}`, permissionHelp);
  }
}

/**
 * A comment written after the merge no longer shows what reviewers approved: a re-run plan job, or
 * any workflow with the same token, rewrote it. GitHub sets updated_at; the body cannot forge it.
 */
function refuseRewrittenAfterMerge(pull: AssociatedPullRequest, comment: PlanComment): void {
  const mergedAt = Date.parse(pull.merged_at ?? '');
  const writtenAt = Date.parse(comment.updatedAt);
  if (Number.isFinite(mergedAt) && !(writtenAt <= mergedAt)) {
    throw new DeployError(
      'no-approved-plan',
      `require-approved-plan: the plan comment on pull request #${pull.number} (${comment.url}) was last written ` +
        `at ${comment.updatedAt}, after the pull request was merged at ${pull.merged_at ?? ''}, so it may no longer ` +
        'show the plan reviewers approved (a re-run plan job or another workflow rewrote it).',
      'Merge a new pull request so its plan is reviewed again; or review the plan in this run and re-run with ' +
        'require-approved-plan: false. A deploy that recorded its outcome on the comment also wrote it after the ' +
        'merge, so deploying the same merge again needs one of these too.',
    );
  }
}

/**
 * Finds the plan approved for a commit: its merged pull request, then that pull request's plan
 * comment for the working directory. Refuses with 'no-approved-plan' when either is missing or the
 * comment was written after the merge.
 */
export async function findApprovedPlan(options: FindApprovedPlanOptions): Promise<ApprovedPlan> {
  const { octokit, owner, repo, commitSha, workingDirectory, log } = options;
  const pulls = await commitPullRequests({ octokit, owner, repo, commitSha }, APPROVAL_PERMISSION_HELP);

  const pull = mergedPullRequest(pulls, commitSha);
  if (!pull) {
    const open = pulls.map((candidate) => `#${candidate.number}`).join(', ');
    throw new DeployError(
      'no-approved-plan',
      open
        ? `require-approved-plan: commit ${commitSha} belongs to pull request ${open}, which is not merged, so no plan was approved for it.`
        : `require-approved-plan: commit ${commitSha} is not part of any merged pull request, so no plan was approved for it.`,
      NO_APPROVAL_HELP,
    );
  }

  let comment: PlanComment | undefined;
  try {
    comment = await findPlanComment(
      { octokit, owner, repo, issueNumber: pull.number, workingDirectory },
      log,
    );
  } catch (error) {
    throw gitHubFailure(
      error,
      `Reading the comments of pull request #${pull.number}`,
      APPROVAL_PERMISSION_HELP,
    );
  }
  if (!comment) {
    throw new DeployError(
      'no-approved-plan',
      `require-approved-plan: pull request #${pull.number} (${pull.html_url}) has no plan comment for ${workingDirectory}, so there is no approved plan to compare with.`,
      NO_APPROVAL_HELP,
    );
  }
  refuseRewrittenAfterMerge(pull, comment);
  if (comment.marker.commit !== pull.head.sha) {
    // The plan, not the commit, is what a deploy binds: an unplanned last push that changed the
    // plan is refused as plan-changed, one that did not leaves the reviewed plan what is applied.
    log.warning(
      `The plan comment on #${pull.number} was made at commit ${comment.marker.commit}, but the pull request ` +
        `ended at ${pull.head.sha}: its last push was not planned. Comparing with the plan reviewers saw.`,
    );
  }
  log.info(`Approved plan: ${comment.url} (planned at ${comment.marker.commit}).`);
  return {
    pullRequest: { number: pull.number, url: pull.html_url },
    commentUrl: comment.url,
    fingerprint: comment.marker.fingerprint,
    plannedCommit: comment.marker.commit,
    marker: comment.marker,
  };
}

function countsText(counts: PlanCounts): string {
  return `${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy, ${counts.replace} to replace`;
}

function boundedList(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, MAX_DIFF_LINES).map((line) => `    ${line}`);
  const rest = lines.length - shown.length;
  return [
    `  ${title} (${lines.length}):`,
    ...shown,
    ...(rest > 0 ? [`    ... and ${formatCount(rest)} more`] : []),
  ];
}

/** The last address the marker recorded, when it had to leave later ones out. */
function lastRecordedAddress(marker: PlanMarker): string | undefined {
  const last = marker.changes.at(-1);
  return marker.unrecorded > 0 && last !== undefined ? parseChangeEntry(last).address : undefined;
}

/**
 * What differs between the approved resource changes and the fresh ones. When the marker could not
 * record every change, only addresses up to its last recorded one are compared one by one (both
 * lists are in the same address order); the rest are compared by the totals.
 */
function changeDifferences(approved: PlanMarker, fresh: PlanSummary): string[] {
  const approvedActions = new Map(
    approved.changes.map((entry) => {
      const { symbol, address } = parseChangeEntry(entry);
      return [address, symbol];
    }),
  );
  const lastRecorded = lastRecordedAddress(approved);
  const imageOnly = new Set(fresh.imageOnly);
  const comparable = fresh.resourceChanges.filter(
    (change) =>
      !imageOnly.has(change.address) &&
      (lastRecorded === undefined || compareAddresses(change.address, lastRecorded) <= 0),
  );
  const freshActions = new Map(
    comparable.map((change) => [change.address, changeEntry(change.address, change.action, change)]),
  );

  const added: string[] = [];
  const changed: string[] = [];
  for (const [address, entry] of freshActions) {
    const before = approvedActions.get(address);
    if (before === undefined) added.push(entry);
    else if (before !== parseChangeEntry(entry).symbol)
      changed.push(`${address}: ${before} -> ${parseChangeEntry(entry).symbol}`);
  }
  const removed = [...approvedActions]
    .filter(([address]) => !freshActions.has(address))
    .map(([address, symbol]) => `${symbol} ${address}`);
  const sortEntries = (entries: string[]): string[] =>
    entries.sort((a, b) => compareAddresses(parseChangeEntry(a).address, parseChangeEntry(b).address));

  return [
    ...boundedList('New in this plan', sortEntries(added)),
    ...boundedList('Approved but no longer planned', sortEntries(removed)),
    ...boundedList('Different action', changed.sort(compareAddresses)),
  ];
}

/** Recorded `values` entries (`<digest prefix> <address>`) by address. */
function digestsByAddress(entries: string[]): Map<string, string> {
  return new Map(
    entries.map((entry) => {
      const { symbol: digest, address } = parseChangeEntry(entry);
      return [address, digest];
    }),
  );
}

/**
 * Resources and outputs whose planned values differ (same address, another digest), and outputs
 * that are new or no longer change. Needs the marker's `values`; a comment of an earlier version
 * has none, and the fingerprint alone then says that something differs.
 */
function valueDifferences(approved: PlanMarker, fresh: PlanSummary): string[] {
  if (approved.values === undefined) return [];
  const recorded = digestsByAddress(approved.values);
  const now = digestsByAddress(fresh.bound.map(valueEntry));
  const changed = [...now]
    .filter(([address, digest]) => recorded.has(address) && recorded.get(address) !== digest)
    .map(([address]) => address);
  const outputs = (digests: Map<string, string>): string[] =>
    [...digests.keys()].filter((address) => address.startsWith('output.'));
  // Only a complete record can tell a new output from one that did not fit.
  const complete = (approved.unrecordedValues ?? 0) === 0;
  return [
    ...boundedList('Different planned values', changed.sort(compareAddresses)),
    ...boundedList(
      'Output changes new in this plan',
      complete ? outputs(now).filter((address) => !recorded.has(address)) : [],
    ),
    ...boundedList(
      'Output changes approved but no longer planned',
      outputs(recorded).filter((address) => !now.has(address)),
    ),
  ];
}

/**
 * Compares the approved plan with the one a deploy is about to apply. Undefined when they match
 * (same fingerprint); otherwise the 'plan-changed' refusal, listing what differs.
 */
export function comparePlans(
  approved: ApprovedPlan,
  fresh: { summary: PlanSummary; image: string },
): DeployError | undefined {
  if (approved.fingerprint === fresh.summary.fingerprint) return undefined;
  const { marker } = approved;
  const freshCounts = boundCounts(fresh.summary);
  const lines = [
    `The plan for ${marker.workingDirectory} differs from the one approved on pull request #${approved.pullRequest.number} ` +
      `(planned at commit ${approved.plannedCommit}, ${approved.commentUrl}); nothing was applied.`,
    `  Fingerprint: approved ${approved.fingerprint}, now ${fresh.summary.fingerprint}`,
  ];
  if (marker.image !== fresh.image) {
    lines.push(`  Image: approved ${marker.image}, now ${fresh.image} (a new image alone is expected)`);
  }
  if (countsText(marker.counts) !== countsText(freshCounts)) {
    lines.push(`  Totals: approved ${countsText(marker.counts)}; now ${countsText(freshCounts)}`);
  }
  const differences = [
    ...changeDifferences(marker, fresh.summary),
    ...valueDifferences(marker, fresh.summary),
  ];
  lines.push(...differences);
  const lastRecorded = lastRecordedAddress(marker);
  if (lastRecorded !== undefined) {
    lines.push(
      `  The pull request comment recorded changes up to ${lastRecorded} only (${formatCount(marker.unrecorded)} ` +
        'more did not fit); later ones are compared by the totals.',
    );
  }
  if (differences.length === 0) {
    lines.push(
      `  The ${lastRecorded === undefined ? '' : 'recorded '}resources change in the same way, so planned values ` +
        'differ: a variable, or data read at plan time (the branch may have moved on since the plan).',
    );
  }
  return new DeployError(
    'plan-changed',
    lines.join('\n'),
    'Open a pull request from the current branch so reviewers see this plan, then deploy its merge; or, ' +
      'to apply it without review, re-run with require-approved-plan: false.',
  );
}
