import { parseConfig } from '../../src/inputs';
import { scaledClock } from '../../src/clock';
import { createFakeClock } from '../support/fakeClock';
import { refreshPreferences } from '../../src/rollout/refresh';
import { releaseOf, sameCommit } from '../../src/rollout/smoke';
import { codeSpan } from '../../src/markdown';
import { failureSummary, planSummary, rolloutOutputs, rolloutSummary } from '../../src/report';
import { inputsFrom } from '../support/inputs';
import { configFor } from '../support/config';
import { planSummaryOf } from '../../emulation/planSummary';

describe('refreshPreferences', () => {
  const settings = (values: Record<string, string>) =>
    configFor(
      'rollout',
      parseConfig(
        inputsFrom({ command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web', ...values }),
      ),
    ).rollout;

  it('maps the inputs onto AWS preferences, launch-before-terminate by default', () => {
    expect(refreshPreferences(settings({}))).toEqual({
      MinHealthyPercentage: 100,
      MaxHealthyPercentage: 200,
      SkipMatching: true,
      AutoRollback: true,
      ScaleInProtectedInstances: 'Refresh',
      StandbyInstances: 'Ignore',
    });
    expect(
      refreshPreferences(
        settings({
          'instance-warmup': '30',
          'checkpoint-percentages': '50,100',
          'checkpoint-delay-seconds': '120',
        }),
      ),
    ).toMatchObject({ InstanceWarmup: 30, CheckpointPercentages: [50, 100], CheckpointDelay: 120 });
  });

  it('replaces every instance when force-refresh is set', () => {
    expect(refreshPreferences(settings({ 'force-refresh': 'true' })).SkipMatching).toBe(false);
  });
});

describe('report', () => {
  const result = {
    asgName: 'web',
    refreshId: 'r-1',
    refreshStatus: 'Successful',
    launchTemplateId: 'lt-1',
    targetVersion: 4,
    previousVersion: '3',
    desiredCapacity: 2,
    healthyTargets: 2,
    smoke: {
      url: 'http://alb/health/',
      commit: 'abc1234',
      answers: 4,
      appUrl: 'http://alb/',
      appStatus: 200,
    },
    seconds: 95,
  };
  it('renders outputs and a summary table', () => {
    expect(rolloutOutputs(result)).toEqual({
      'refresh-id': 'r-1',
      'refresh-status': 'Successful',
      'healthy-targets': 2,
      'rollout-seconds': 95,
      'launch-template-version': 4,
      'release-live': 'true',
    });
    expect(rolloutSummary(result)).toContain('| Launch template | `lt-1` version 3 -> 4 |');
    expect(rolloutSummary(result)).toContain(
      '| Smoke check | `http://alb/health/`: 4 answers in a row from commit `abc1234`; `http://alb/` answered 200 |',
    );
    expect(rolloutSummary({ ...result, refreshId: undefined, refreshStatus: 'NotNeeded' })).toContain(
      'not needed: already on this version',
    );
  });
  it('keeps hostile resource addresses inside their code span and table cell (the PR comment’s escaping)', () => {
    const address = 'aws_s3_object.x["a` | <img src=x> ``|\n::warning::pwned"]';
    const markdown = planSummary(
      planSummaryOf([{ address, type: 'aws_s3_object', action: 'create' }], [], `sha256:${'a'.repeat(64)}`),
      'docker.io/acme/web@sha256:' + 'b'.repeat(64),
      'infra | <b>x</b>',
    );
    const row = markdown.split('\n').find((line) => line.includes('aws_s3_object'))!;
    // One row, two cells: every pipe inside is escaped, the code fence outlasts the backticks inside.
    expect(row.split(/(?<!\\)\|/)).toHaveLength(4);
    expect(row).toContain(codeSpan(address).replace(/\|/g, '\\|'));
    expect(markdown).not.toMatch(/^\s*::/m);
    expect(markdown).toContain('### Terraform plan: infra &#124; &lt;b&gt;x&lt;/b&gt;');
  });

  it('escapes table pipes and newlines in failure text', () => {
    const markdown = failureSummary('timeout', 'a | b\nc', 'retry');
    expect(markdown).toContain('| What happened | a &#124; b<br>c |');
    expect(markdown).toContain('| What to do | retry |');
    expect(markdown).not.toContain('| Release |');
  });

  it('says in the failure summary whether the release is live, when the failure knows', () => {
    expect(failureSummary('smoke-app-failed', 'x', 'y', { releaseLive: true })).toContain(
      '| Release | **live**: the refresh succeeded, so users get this release although a check after it failed |',
    );
    expect(failureSummary('smoke-app-failed', 'x', 'y', { releaseLive: false })).toContain(
      '| Release | not live: the group was rolled back to the version it ran before |',
    );
  });
});

describe('scaledClock (the emulated region’s time for the rollout’s waits)', () => {
  it('runs now() scale times faster and sleeps 1/scale of the time asked', async () => {
    const { clock: base, sleeps, advance } = createFakeClock(1000);
    const scaled = scaledClock(base, 100);
    advance(50);
    expect(scaled.now()).toBe(1000 + 5000);
    await scaled.sleep(10_000);
    expect(sleeps).toEqual([100]);
    expect(scaledClock(base, 1)).toBe(base);
  });
});

describe('smoke check answers', () => {
  it('reads the commit and version of a health answer, and nothing from anything else', () => {
    expect(releaseOf('{"status":"ok","version":"1.4.0","commit":"3f2c1ab"}')).toEqual({
      commit: '3f2c1ab',
      version: '1.4.0',
    });
    expect(releaseOf('{"status":"ok"}')).toEqual({ commit: undefined, version: undefined });
    expect(releaseOf('<html>')).toEqual({ commit: undefined, version: undefined });
  });

  it('treats a full and an abbreviated SHA of the same commit as the same, nothing else', () => {
    const full = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';
    expect(sameCommit(full, full)).toBe(true);
    expect(sameCommit('e83c516', full)).toBe(true);
    expect(sameCommit(full, 'E83C5163316F')).toBe(true);
    expect(sameCommit('e83c51', full)).toBe(false);
    expect(sameCommit('0123456789abcdef0123456789abcdef01234567', full)).toBe(false);
    expect(sameCommit('unknown', full)).toBe(false);
  });
});
