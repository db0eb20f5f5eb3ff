import { getOctokit } from '@actions/github';
import {
  comparePlans,
  findApprovedPlan,
  renderPlanComment,
  upsertPlanComment,
  type ApprovedPlan,
} from '../../src/comment';
import type { PlanSummary, ResourceChange } from '../../src/terraform/types';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from '../support/fakeGitHub';
import { createRecorder } from '../support/recorder';
import { generatePlan } from '../../emulation/generatedPlan';
import { rejection } from '../support/rejection';
import { planSummaryOf } from '../../emulation/planSummary';
import { approvedPlan, change, deployPlan, NEW, policy } from '../support/imagePlans';

const TOKEN = 'ghs_workflowToken';
const HEAD_SHA = '1111111111111111111111111111111111111111';
const MERGE_SHA = '2222222222222222222222222222222222222222';
const IMAGE = `docker.io/acme/shop@sha256:${'a'.repeat(64)}`;

function summaryOf(resourceChanges: ResourceChange[], fingerprint: string): PlanSummary {
  return planSummaryOf(resourceChanges, [], fingerprint);
}

const reviewed = summaryOf(
  [
    { address: 'aws_autoscaling_group.web', type: 'aws_autoscaling_group', action: 'update' },
    { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
    { address: 'aws_security_group.legacy', type: 'aws_security_group', action: 'delete' },
  ],
  `sha256:${'a1'.repeat(32)}`,
);

describe('require-approved-plan', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await startFakeGitHub({ tokens: { [TOKEN]: { user: WORKFLOW_BOT, installation: true } } });
  });
  afterEach(() => github.close());

  const octokit = () => getOctokit(TOKEN, { baseUrl: github.baseUrl });

  /** What the plan job does on the pull request: render the comment and upsert it. */
  async function commentPlan(pullNumber: number, summary: PlanSummary, commit = HEAD_SHA) {
    const body = renderPlanComment({
      summary,
      planText: 'Terraform will perform the following actions:',
      image: IMAGE,
      commit,
      workingDirectory: 'terraform',
      runUrl: 'https://github.com/acme/shop/actions/runs/7',
      secrets: [],
    });
    await upsertPlanComment({
      octokit: octokit(),
      owner: github.owner,
      repo: github.repo,
      issueNumber: pullNumber,
      workingDirectory: 'terraform',
      body,
      log: createRecorder().log,
    });
  }

  function mergePull(number: number, headSha = HEAD_SHA) {
    github.setPullsForCommit(MERGE_SHA, [
      { number, merged_at: '2025-03-01T10:00:00Z', merge_commit_sha: MERGE_SHA, head_sha: headSha },
    ]);
  }

  function findApproved(log = createRecorder().log) {
    return findApprovedPlan({
      octokit: octokit(),
      owner: github.owner,
      repo: github.repo,
      commitSha: MERGE_SHA,
      workingDirectory: 'terraform',
      log,
    });
  }

  it('finds the merged pull request’s plan and accepts a fresh plan with the same fingerprint', async () => {
    await commentPlan(42, reviewed);
    mergePull(42);
    const approved = await findApproved();
    expect(approved).toMatchObject({
      pullRequest: { number: 42, url: 'https://github.com/acme/shop/pull/42' },
      fingerprint: reviewed.fingerprint,
      plannedCommit: HEAD_SHA,
    });
    expect(approved.commentUrl).toMatch(/^https:\/\/github\.com\/acme\/shop\/pull\/42#issuecomment-\d+$/);
    expect(comparePlans(approved, { summary: { ...reviewed }, image: IMAGE })).toBeUndefined();
  });

  it('refuses a different fresh plan, listing added, removed and changed resources', async () => {
    await commentPlan(42, reviewed);
    mergePull(42);
    const fresh = summaryOf(
      [
        { address: 'aws_autoscaling_group.web', type: 'aws_autoscaling_group', action: 'update' },
        { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'replace' },
        { address: 'aws_lb.public', type: 'aws_lb', action: 'delete' },
      ],
      `sha256:${'b2'.repeat(32)}`,
    );
    const refusal = comparePlans(await findApproved(), { summary: fresh, image: IMAGE });
    expect(refusal?.reason).toBe('plan-changed');
    const message = refusal!.message;
    expect(message).toContain('differs from the one approved on pull request #42');
    expect(message).toContain(`planned at commit ${HEAD_SHA}`);
    expect(message).toContain(
      `Fingerprint: approved sha256:${'a1'.repeat(32)}, now sha256:${'b2'.repeat(32)}`,
    );
    expect(message).toContain(
      'Totals: approved 0 to add, 2 to change, 1 to destroy, 0 to replace; now 0 to add, 1 to change, 1 to destroy, 1 to replace',
    );
    expect(message).toContain('  New in this plan (1):\n    - aws_lb.public');
    expect(message).toContain('  Approved but no longer planned (1):\n    - aws_security_group.legacy');
    expect(message).toContain('  Different action (1):\n    aws_launch_template.web: ~ -> -/+');
    expect(message).not.toContain('aws_autoscaling_group.web');
    expect(refusal!.nextSteps).toContain('require-approved-plan: false');
  });

  it('explains a changed fingerprint with identical resources by the planned values and the image', () => {
    const approved: ApprovedPlan = {
      pullRequest: { number: 42, url: 'https://github.com/acme/shop/pull/42' },
      commentUrl: 'https://github.com/acme/shop/pull/42#issuecomment-1',
      fingerprint: reviewed.fingerprint,
      plannedCommit: HEAD_SHA,
      marker: {
        tool: 'ha-django-deploy',
        version: 1,
        workingDirectory: 'terraform',
        commit: HEAD_SHA,
        fingerprint: reviewed.fingerprint,
        image: IMAGE,
        counts: { add: 0, change: 2, destroy: 1, replace: 0 },
        changes: ['~ aws_autoscaling_group.web', '~ aws_launch_template.web', '- aws_security_group.legacy'],
        unrecorded: 0,
      },
    };
    const newImage = `docker.io/acme/shop@sha256:${'b'.repeat(64)}`;
    const message = comparePlans(approved, {
      summary: { ...reviewed, fingerprint: `sha256:${'c3'.repeat(32)}` },
      image: newImage,
    })!.message;
    expect(message).toContain(`Image: approved ${IMAGE}, now ${newImage}`);
    expect(message).toContain('The resources change in the same way, so planned values differ');
    expect(message).not.toContain('Totals:');
  });

  it('accepts the deploy plan at a new image and names every other difference from the recorded marker', async () => {
    const approvedSummary = approvedPlan([policy(70)], {
      app_url: { actions: ['update'], before: 'a.example', after: 'b.example' },
    });
    await commentPlan(42, approvedSummary);
    mergePull(42);
    const approved = await findApproved();
    expect(
      comparePlans(approved, {
        summary: deployPlan([policy(70)], {
          app_url: { actions: ['update'], before: 'a.example', after: 'b.example' },
        }),
        image: NEW,
      }),
    ).toBeUndefined();

    const extra = change({
      address: 'terraform_data.extra[0]',
      actions: ['create'],
      before: null,
      after: { input: 'x' },
    });
    const refusal = comparePlans(approved, {
      summary: deployPlan([policy(80), extra], { debug: { actions: ['create'], before: null, after: 'on' } }),
      image: NEW,
    });
    expect(refusal?.reason).toBe('plan-changed');
    const message = refusal!.message;
    expect(message).toContain('  New in this plan (1):\n    + terraform_data.extra[0]');
    expect(message).toContain('  Different planned values (1):\n    aws_autoscaling_policy.cpu');
    expect(message).toContain('  Output changes new in this plan (1):\n    output.debug');
    expect(message).toContain('  Output changes approved but no longer planned (1):\n    output.app_url');
    expect(message).toContain(
      'Totals: approved 0 to add, 1 to change, 0 to destroy, 0 to replace; now 1 to add, 1 to change',
    );
    expect(message).not.toContain('aws_launch_template.web');
  });

  it('compares a huge plan one by one up to the last recorded address, and by totals after it', async () => {
    const { summary } = generatePlan(5000);
    await commentPlan(42, summary);
    mergePull(42);
    const approved = await findApproved();
    expect(approved.marker.unrecorded).toBeGreaterThan(0);
    const lastRecorded = approved.marker.changes.at(-1)!.split(' ')[1]!;

    const first = summary.resourceChanges[0]!;
    const beyond = summary.resourceChanges.at(-1)!;
    const fresh: PlanSummary = {
      ...summary,
      fingerprint: `sha256:${'d4'.repeat(32)}`,
      resourceChanges: summary.resourceChanges.map((change) =>
        change === first || change === beyond ? { ...change, action: 'replace' } : change,
      ),
    };
    const message = comparePlans(approved, { summary: fresh, image: IMAGE })!.message;
    expect(message).toContain(`Different action (1):\n    ${first.address}: + -> -/+`);
    expect(message).not.toContain(beyond.address);
    expect(message).toContain(`recorded changes up to ${lastRecorded} only`);
  });

  it.each([
    ['another bot', { login: 'dependabot[bot]', type: 'Bot' as const }],
    ['a person', { login: 'octocat', type: 'User' as const }],
  ])('does not trust a well-formed plan comment written by %s', async (_label, author) => {
    const body = renderPlanComment({
      summary: reviewed,
      planText: 'Terraform will perform the following actions:',
      image: IMAGE,
      commit: HEAD_SHA,
      workingDirectory: 'terraform',
      runUrl: '',
      secrets: [],
    });
    github.addComment(42, body, author);
    mergePull(42);
    const error = await rejection(findApproved());
    expect(error.reason).toBe('no-approved-plan');
    expect(error.message).toContain('has no plan comment for terraform');
  });

  it('does not trust its own comment when the marker is not at the start of the body', async () => {
    await commentPlan(42, reviewed);
    const own = github.comments[0]!;
    github.addComment(42, `Quoting the plan:\n${own.body}`, WORKFLOW_BOT);
    github.deleteComment(own.id);
    mergePull(42);
    expect((await rejection(findApproved())).reason).toBe('no-approved-plan');
  });

  it('warns when the comment was planned at an earlier commit than the pull request’s last', async () => {
    await commentPlan(42, reviewed, '3333333333333333333333333333333333333333');
    mergePull(42, HEAD_SHA);
    const { log, text } = createRecorder();
    const approved = await findApproved(log);
    expect(approved.plannedCommit).toBe('3333333333333333333333333333333333333333');
    expect(text()).toContain(`but the pull request ended at ${HEAD_SHA}: its last push was not planned`);
  });

  it('refuses a plan comment last written after the merge, and accepts one written up to it', async () => {
    await commentPlan(42, reviewed);
    const writtenAt = github.comments[0]!.updated_at;
    github.setPullsForCommit(MERGE_SHA, [
      { number: 42, merged_at: writtenAt, merge_commit_sha: MERGE_SHA, head_sha: HEAD_SHA },
    ]);
    expect((await findApproved()).fingerprint).toBe(reviewed.fingerprint);

    // A re-run plan job after the merge rewrites the comment with a plan nobody reviewed.
    await commentPlan(42, { ...reviewed, fingerprint: `sha256:${'f6'.repeat(32)}` });
    const error = await rejection(findApproved());
    expect(error.reason).toBe('no-approved-plan');
    expect(error.message).toContain(
      `was last written at ${github.comments[0]!.updated_at}, after the pull request was merged at ${writtenAt}`,
    );
    expect(error.nextSteps).toContain('require-approved-plan: false');
  });

  it('prefers the pull request the commit merged over others that contain it', async () => {
    await commentPlan(41, { ...reviewed, fingerprint: `sha256:${'e5'.repeat(32)}` });
    await commentPlan(42, reviewed);
    github.setPullsForCommit(MERGE_SHA, [
      { number: 41, merged_at: '2025-03-02T10:00:00Z', merge_commit_sha: '4'.repeat(40), head_sha: HEAD_SHA },
      { number: 42, merged_at: '2025-03-01T10:00:00Z', merge_commit_sha: MERGE_SHA, head_sha: HEAD_SHA },
    ]);
    expect((await findApproved()).pullRequest.number).toBe(42);
  });

  it('refuses with no-approved-plan when the commit came through no merged pull request', async () => {
    const direct = await rejection(findApproved());
    expect(direct.reason).toBe('no-approved-plan');
    expect(direct.message).toContain(`commit ${MERGE_SHA} is not part of any merged pull request`);
    expect(direct.nextSteps).toContain('require-approved-plan: false');

    github.setPullsForCommit(MERGE_SHA, [
      { number: 9, merged_at: null, merge_commit_sha: null, head_sha: MERGE_SHA },
    ]);
    const open = await rejection(findApproved());
    expect(open.message).toContain('belongs to pull request #9, which is not merged');
  });

  it('refuses with no-approved-plan when the merged pull request has no plan comment', async () => {
    github.addComment(42, 'Looks good to me', { login: 'reviewer', type: 'User' });
    mergePull(42);
    const error = await rejection(findApproved());
    expect(error.reason).toBe('no-approved-plan');
    expect(error.message).toContain(
      'pull request #42 (https://github.com/acme/shop/pull/42) has no plan comment for terraform',
    );
    expect(error.nextSteps).toContain('comment-on-pr: true');
  });

  it('turns a token without access to pull requests into a clear permission error', async () => {
    const error = await rejection(
      findApprovedPlan({
        octokit: getOctokit('ghs_revoked', { baseUrl: github.baseUrl }),
        owner: github.owner,
        repo: github.repo,
        commitSha: MERGE_SHA,
        workingDirectory: 'terraform',
        log: createRecorder().log,
      }),
    );
    expect(error.reason).toBe('github-forbidden');
    expect(error.message).toContain(`Looking up the pull requests of commit ${MERGE_SHA} failed`);
    expect(error.nextSteps).toContain('pull-requests: read');
  });
});
