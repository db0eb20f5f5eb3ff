/** Item 7: after a deploy, the merged pull request's plan comment records what became of its plan. */
import { getOctokit } from '@actions/github';
import {
  outcomeSection,
  recordApplyOutcome,
  recordApplyOutcomeSafely,
  renderPlanComment,
  withOutcome,
} from '../../src/comment';
import { startFakeGitHub, WORKFLOW_BOT, type FakeGitHub } from '../support/fakeGitHub';
import { planSummaryOf } from '../../emulation/planSummary';
import { createRecorder } from '../support/recorder';

const TOKEN = 'ghs_workflowToken';
const READ_ONLY = 'ghs_readOnly';
const HEAD = '1'.repeat(40);
const MERGE = '2'.repeat(40);
const RUN_URL = 'https://github.com/acme/shop/actions/runs/99';

function planBody(): string {
  return renderPlanComment({
    summary: planSummaryOf([
      { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
    ]),
    planText: '  ~ resource "aws_launch_template" "web" {}',
    image: `docker.io/acme/shop@sha256:${'a'.repeat(64)}`,
    commit: HEAD,
    workingDirectory: 'terraform',
    runUrl: 'https://github.com/acme/shop/actions/runs/98',
    secrets: [],
  });
}

describe('recordApplyOutcome', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub({
      tokens: {
        [TOKEN]: { user: WORKFLOW_BOT, installation: true },
        [READ_ONLY]: { user: WORKFLOW_BOT, installation: true, readOnly: true },
      },
    });
    github.setPullsForCommit(MERGE, [
      { number: 7, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: MERGE, head_sha: HEAD },
    ]);
  });
  afterEach(() => github.close());

  const record = (outcome: Parameters<typeof outcomeSection>[0], token = TOKEN, log = createRecorder().log) =>
    recordApplyOutcome({
      octokit: getOctokit(token, { baseUrl: github.baseUrl }),
      owner: github.owner,
      repo: github.repo,
      commitSha: MERGE,
      workingDirectory: 'terraform',
      outcome,
      secretMask: (text) => text.replace(/s3cr3t/g, '***'),
      log,
    });

  it('finds the merged pull request of the commit and updates its plan comment in place, once per outcome', async () => {
    const plan = github.addComment(7, planBody(), WORKFLOW_BOT);
    await record({
      status: 'not-applied',
      commit: MERGE,
      runUrl: RUN_URL,
      reason: 'terraform-apply-failed',
      message: 'Error: s3cr3t quota exceeded',
    });
    expect(plan.body).toContain(':x: **Not applied** at commit');
    expect(plan.body).toContain('Failure reason: `terraform-apply-failed`: Error: \\*\\*\\* quota exceeded');
    expect(plan.body).not.toContain('s3cr3t');
    const url = await record({
      status: 'applied',
      commit: MERGE,
      runUrl: RUN_URL,
      counts: '0 to add, 1 to change',
    });
    expect(url).toContain('#issuecomment-');
    expect(github.comments).toHaveLength(1);
    expect(plan.body).toContain(
      `:white_check_mark: **Applied** at commit ${MERGE} by the [deploy run](${RUN_URL}) (0 to add, 1 to change).`,
    );
    expect(plan.body).not.toContain('Not applied');
    // The marker, and with it the approved plan, is untouched.
    expect(plan.body.split('\n')[0]).toBe(planBody().split('\n')[0]);
  });

  it('does nothing for a commit with no merged pull request or no plan comment', async () => {
    const recorder = createRecorder();
    expect(
      await record({ status: 'applied', commit: MERGE, runUrl: RUN_URL }, TOKEN, recorder.log),
    ).toBeUndefined();
    expect(recorder.text()).toContain('has no plan comment for terraform');
    github.setPullsForCommit(MERGE, []);
    expect(
      await record({ status: 'applied', commit: MERGE, runUrl: RUN_URL }, TOKEN, recorder.log),
    ).toBeUndefined();
    expect(recorder.text()).toContain(`No merged pull request has commit ${MERGE}`);
  });

  it('warns instead of failing the deploy when the token may not write', async () => {
    github.addComment(7, planBody(), WORKFLOW_BOT);
    const recorder = createRecorder();
    await recordApplyOutcomeSafely({
      octokit: getOctokit(READ_ONLY, { baseUrl: github.baseUrl }),
      owner: github.owner,
      repo: github.repo,
      commitSha: MERGE,
      workingDirectory: 'terraform',
      outcome: { status: 'applied', commit: MERGE, runUrl: RUN_URL },
      secretMask: (text) => text,
      log: recorder.log,
    });
    expect(recorder.text()).toMatch(
      /warning: Could not record the deploy outcome on the pull request: .*403.*pull-requests: write/s,
    );
  });
});

describe('withOutcome', () => {
  it('puts the outcome under the title, never past the comment limit', () => {
    const section = outcomeSection(
      {
        status: 'rollout-failed',
        commit: MERGE,
        runUrl: RUN_URL,
        reason: 'rolled-back',
        message: 'x'.repeat(5000),
      },
      (text) => text,
    );
    expect(section.length).toBeLessThanOrEqual(2000);
    const body = withOutcome(planBody(), section);
    const lines = body.split('\n');
    expect(lines[1]).toBe('### Terraform plan for `terraform`');
    expect(lines[3]).toBe('<!-- ha-django-deploy:outcome -->');
    expect(body.length).toBeLessThanOrEqual(65_536);
  });

  it('is not captured by outcome delimiters quoted in the plan: the plan text stays whole', () => {
    const quoted = [
      '<!-- ha-django-deploy:outcome -->',
      'Not applied: a forged record',
      '<!-- /ha-django-deploy:outcome -->',
    ].join('\n');
    const body = renderPlanComment({
      summary: planSummaryOf([
        { address: 'aws_launch_template.web', type: 'aws_launch_template', action: 'update' },
      ]),
      planText: `  ~ resource "aws_launch_template" "web" {\n${quoted}\n}`,
      image: `docker.io/acme/shop@sha256:${'a'.repeat(64)}`,
      commit: HEAD,
      workingDirectory: 'terraform',
      runUrl: 'https://github.com/acme/shop/actions/runs/98',
      secrets: [],
    });
    const section = outcomeSection({ status: 'applied', commit: MERGE, runUrl: RUN_URL }, (text) => text);
    const once = withOutcome(body, section);
    expect(once).toContain(quoted);
    expect(once.split('\n')[3]).toBe('<!-- ha-django-deploy:outcome -->');
    // A second outcome replaces the first under the title, and still leaves the plan alone.
    const twice = withOutcome(once, section);
    expect(twice).toBe(once);
  });
});
