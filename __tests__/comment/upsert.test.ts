import { getOctokit } from '@actions/github';
import { parseCommentMarker, renderPlanComment, upsertPlanComment } from '../../src/comment';
import type { Logger } from '../../src/log';
import type { PlanSummary } from '../../src/terraform/types';
import { createRecorder } from '../support/recorder';
import { rejection } from '../support/rejection';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub, type FakeUser } from '../support/fakeGitHub';
import { planSummaryOf } from '../../emulation/planSummary';

const PR = 17;
const WORKFLOW_TOKEN = 'ghs_workflowToken';
const FORK_TOKEN = 'ghs_forkReadOnly';
const PERSONAL_TOKEN = 'ghp_personalToken';
const THROTTLED_TOKEN = 'ghs_throttled';
const OCTOCAT: FakeUser = { login: 'octocat', type: 'User' };

function planBody(
  workingDirectory: string,
  commit: string,
  fingerprint = `sha256:${'f'.repeat(64)}`,
): string {
  const summary: PlanSummary = planSummaryOf(
    [{ address: 'aws_instance.web', type: 'aws_instance', action: 'create' }],
    [],
    fingerprint,
  );
  return renderPlanComment({
    summary,
    planText: '  + resource "aws_instance" "web" {}',
    image: `docker.io/acme/shop@sha256:${'1'.repeat(64)}`,
    commit,
    workingDirectory,
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
    secrets: [],
  });
}

describe('upsertPlanComment through Octokit against a local GitHub', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await startFakeGitHub({
      tokens: {
        [WORKFLOW_TOKEN]: { user: WORKFLOW_BOT, installation: true },
        [FORK_TOKEN]: { user: WORKFLOW_BOT, installation: true, readOnly: true },
        [PERSONAL_TOKEN]: { user: OCTOCAT, installation: false },
        [THROTTLED_TOKEN]: { user: WORKFLOW_BOT, installation: true, rateLimited: true },
      },
      maxPageSize: 50,
    });
  });
  afterEach(() => github.close());

  interface UpsertOptions {
    workingDirectory?: string;
    token?: string;
    log?: Logger;
    repo?: string;
  }

  function upsert(body: string, options: UpsertOptions = {}) {
    const workingDirectory = options.workingDirectory ?? 'terraform';
    return upsertPlanComment({
      octokit: getOctokit(options.token ?? WORKFLOW_TOKEN, { baseUrl: github.baseUrl }),
      owner: github.owner,
      repo: options.repo ?? github.repo,
      issueNumber: PR,
      workingDirectory,
      body,
      log: options.log ?? createRecorder().log,
    });
  }

  /** Renders the plan comment for the directory and commit, then upserts it there. */
  function upsertPlan(commit: string, options: UpsertOptions = {}) {
    return upsert(planBody(options.workingDirectory ?? 'terraform', commit), options);
  }

  it('creates the comment on the first run and updates that same comment on the next', async () => {
    const first = await upsertPlan('a'.repeat(40));
    expect(first.action).toBe('created');
    expect(first.url).toBe(`https://github.com/acme/shop/pull/${PR}#issuecomment-${first.commentId}`);

    const second = await upsertPlan('b'.repeat(40));
    expect(second).toEqual({ action: 'updated', commentId: first.commentId, url: first.url });
    expect(github.comments).toHaveLength(1);
    expect(parseCommentMarker(github.comments[0]!.body)?.commit).toBe('b'.repeat(40));
    expect(github.requests.filter((request) => request.startsWith('POST'))).toHaveLength(1);
  });

  it('finds its comment on page 3 of 150, following the Link headers', async () => {
    for (let i = 0; i < 120; i++) github.addComment(PR, `comment ${i}`, OCTOCAT);
    const ours = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), WORKFLOW_BOT);
    for (let i = 120; i < 149; i++) github.addComment(PR, `comment ${i}`, OCTOCAT);

    const result = await upsertPlan('c'.repeat(40));
    expect(result).toMatchObject({ action: 'updated', commentId: ours.id });
    expect(github.comments).toHaveLength(150);
    const listings = github.requests.filter((request) =>
      request.startsWith(`GET /repos/acme/shop/issues/${PR}/comments`),
    );
    expect(listings).toEqual([
      `GET /repos/acme/shop/issues/${PR}/comments?per_page=100`,
      `GET /repos/acme/shop/issues/${PR}/comments?per_page=50&page=2`,
      `GET /repos/acme/shop/issues/${PR}/comments?per_page=50&page=3`,
    ]);
  });

  it('leaves the comment of another working directory alone', async () => {
    const network = await upsertPlan('a'.repeat(40), { workingDirectory: 'infra/network' });
    const networkBody = github.comments[0]!.body;
    const app = await upsertPlan('a'.repeat(40));
    expect(app.action).toBe('created');
    expect(app.commentId).not.toBe(network.commentId);

    await upsertPlan('b'.repeat(40));
    expect(github.comments).toHaveLength(2);
    expect(github.comments.find((comment) => comment.id === network.commentId)?.body).toBe(networkBody);
  });

  it('never overwrites a person’s comment that carries a copy of the marker', async () => {
    const quoted = github.addComment(PR, `Look at this:\n${planBody('terraform', 'a'.repeat(40))}`, OCTOCAT);
    const pasted = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), OCTOCAT);
    const { log, text } = createRecorder();
    const result = await upsertPlan('b'.repeat(40), { token: WORKFLOW_TOKEN, log });
    expect(result.action).toBe('created');
    expect(github.comments.find((comment) => comment.id === quoted.id)?.body).toContain('Look at this:');
    expect(github.comments.find((comment) => comment.id === pasted.id)?.body).toBe(
      planBody('terraform', 'a'.repeat(40)),
    );
    expect(text()).toContain('Ignoring 1 comment with a plan marker not written by github-actions[bot]');
  });

  it('with the workflow token, never edits another bot’s comment that carries the marker', async () => {
    const otherBot = { login: 'renovate[bot]', type: 'Bot' } as const;
    const foreign = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), otherBot);
    const result = await upsertPlan('b'.repeat(40), { token: WORKFLOW_TOKEN });
    expect(result.action).toBe('created');
    expect(github.comments.find((comment) => comment.id === foreign.id)?.body).toBe(
      planBody('terraform', 'a'.repeat(40)),
    );
    expect(github.requests.filter((request) => request.startsWith('PATCH'))).toEqual([]);
  });

  it('never edits a user’s comment named like the bot (a User, not the Bot account)', async () => {
    const impostor = { login: 'github-actions[bot]', type: 'User' } as const;
    const forged = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), impostor);
    const result = await upsertPlan('b'.repeat(40), { token: WORKFLOW_TOKEN });
    expect(result.action).toBe('created');
    expect(result.commentId).not.toBe(forged.id);
  });

  it('with a personal token, updates only comments written by that user', async () => {
    const botComment = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), WORKFLOW_BOT);
    const first = await upsertPlan('b'.repeat(40), { token: PERSONAL_TOKEN });
    expect(first.action).toBe('created');
    const second = await upsertPlan('c'.repeat(40), { token: PERSONAL_TOKEN });
    expect(second).toMatchObject({ action: 'updated', commentId: first.commentId });
    expect(parseCommentMarker(github.comments.find((c) => c.id === botComment.id)?.body)?.commit).toBe(
      'a'.repeat(40),
    );
  });

  it('updates the latest of duplicate comments and names the others', async () => {
    const older = github.addComment(PR, planBody('terraform', 'a'.repeat(40)), WORKFLOW_BOT);
    const newer = github.addComment(PR, planBody('terraform', 'b'.repeat(40)), WORKFLOW_BOT);
    const { log, text } = createRecorder();
    const result = await upsertPlan('c'.repeat(40), { token: WORKFLOW_TOKEN, log });
    expect(result.commentId).toBe(newer.id);
    expect(text()).toContain(
      `Delete the others: https://github.com/acme/shop/pull/${PR}#issuecomment-${older.id}`,
    );
  });

  it('creates a new comment when the old one is deleted between listing and updating', async () => {
    const first = await upsertPlan('a'.repeat(40));
    github.onRequest((method) => {
      if (method === 'PATCH') github.deleteComment(first.commentId);
    });
    const second = await upsertPlan('b'.repeat(40));
    expect(second.action).toBe('created');
    expect(second.commentId).not.toBe(first.commentId);
    expect(github.comments).toHaveLength(1);
  });

  it('turns a read-only token (a fork’s pull request) into a clear error, writing nothing', async () => {
    const error = await rejection(upsertPlan('a'.repeat(40), { token: FORK_TOKEN }));
    expect(error.reason).toBe('github-forbidden');
    expect(error.message).toBe(
      `Commenting on pull request #${PR} failed: GitHub answered 403 Resource not accessible by integration`,
    );
    expect(error.nextSteps).toContain('permissions: pull-requests: write');
    expect(error.nextSteps).toContain('comment-on-pr: false');
    expect(github.comments).toHaveLength(0);
  });

  it('turns an unknown token into the same permission error when listing', async () => {
    const error = await rejection(upsert('body', { token: 'ghs_revoked' }));
    expect(error.reason).toBe('github-forbidden');
    expect(error.message).toBe(
      `Reading the comments of pull request #${PR} failed: GitHub answered 401 Bad credentials`,
    );
  });

  it('reports GitHub’s refusal of a body over the limit rather than hiding it', async () => {
    const error = await rejection(upsert('x'.repeat(65_537)));
    expect(error.reason).toBe('github-error');
    expect(error.message).toContain('422 Body is too long');
  });

  it('tells a rate limit apart from a missing permission', async () => {
    const error = await rejection(upsert('body', { token: THROTTLED_TOKEN }));
    expect(error.reason).toBe('github-rate-limited');
    expect(error.message).toContain('403 API rate limit exceeded');
  });

  it('turns a 404 (a repository the token cannot see) into a not-found error', async () => {
    const error = await rejection(upsert('body', { repo: 'private-elsewhere' }));
    expect(error.reason).toBe('github-not-found');
    expect(error.message).toContain('404 Not Found');
    expect(error.nextSteps).toContain('github-token');
  });

  it('says GitHub could not be reached when nothing answers, instead of a made-up status', async () => {
    await github.close();
    const error = await rejection(upsert('body'));
    expect(error.reason).toBe('github-unreachable');
    expect(error.message).toContain(
      `Reading the comments of pull request #${PR} failed: GitHub could not be reached`,
    );
  });
});
