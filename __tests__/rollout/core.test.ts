import { parseConfig } from '../../src/config';
import { scaledClock } from '../../src/clock';
import { createFakeClock } from '../support/fakeClock';
import { isGroupOnVersion, upToDateInstanceIds, type GroupSnapshot } from '../../src/rollout/group';
import { refreshPreferences } from '../../src/rollout/refresh';
import { releaseOf, sameCommit } from '../../src/rollout/smoke';
import { describeNotHealthy, evaluateTargets, type TargetState } from '../../src/rollout/targets';
import { codeSpan } from '../../src/markdown';
import { failureSummary, planSummary, rolloutOutputs, rolloutSummary } from '../../src/report';
import { inputsFrom } from '../support/inputs';
import { planSummaryOf } from '../../emulation/planSummary';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

function target(id: string, state: string, reason?: string): TargetState {
  return {
    targetGroupArn: TG,
    id,
    port: 80,
    state,
    reason,
    description: reason ? 'Health checks failed' : undefined,
  };
}

describe('evaluateTargets', () => {
  const upToDate = new Set(['i-new1', 'i-new2']);
  const groupIds = new Set(['i-new1', 'i-new2', 'i-old']);
  const expect2 = {
    targetGroupArns: [TG],
    groupInstanceIds: groupIds,
    upToDateInstanceIds: upToDate,
    required: 2,
  };

  it('is ready when the desired number of up-to-date group instances are healthy', () => {
    const verdict = evaluateTargets(
      [target('i-new1', 'healthy'), target('i-new2', 'healthy'), target('i-old', 'draining')],
      expect2,
    );
    expect(verdict).toMatchObject({ ready: true, healthy: 2 });
    expect(verdict.summary).toBe(
      '1 draining, 2 healthy (need 2 healthy instances on the new version, have 2)',
    );
  });

  it('does not count healthy instances still on the old version or outside the group', () => {
    const verdict = evaluateTargets(
      [target('i-new1', 'healthy'), target('i-old', 'healthy'), target('i-stray', 'healthy')],
      expect2,
    );
    expect(verdict).toMatchObject({ ready: false, healthy: 1 });
  });

  it('is not ready while one of the group’s own targets is unhealthy, even with enough healthy ones', () => {
    const verdict = evaluateTargets(
      [
        target('i-new1', 'healthy'),
        target('i-new2', 'healthy'),
        target('i-old', 'unhealthy', 'Target.Timeout'),
      ],
      expect2,
    );
    expect(verdict.ready).toBe(false);
    expect(verdict.notHealthy.map((t) => t.id)).toEqual(['i-old']);
  });

  it('item 1: ignores targets that are not instances of the group, however unhealthy', () => {
    const verdict = evaluateTargets(
      [
        target('i-new1', 'healthy'),
        target('i-new2', 'healthy'),
        target('i-hand-registered', 'unhealthy', 'Target.Timeout'),
        target('i-other-group', 'initial', 'Elb.RegistrationInProgress'),
      ],
      expect2,
    );
    expect(verdict).toMatchObject({ ready: true, healthy: 2, notHealthy: [] });
    expect(verdict.foreign.map((t) => t.id)).toEqual(['i-hand-registered', 'i-other-group']);
    expect(verdict.summary).toContain('2 not in the group, ignored');
  });

  it('item 1: an instance of ours in unused (Target.NotInUse) is not healthy and says why', () => {
    const verdict = evaluateTargets(
      [target('i-new1', 'healthy'), target('i-new2', 'unused', 'Target.NotInUse')],
      expect2,
    );
    expect(verdict).toMatchObject({ ready: false, healthy: 1 });
    expect(describeNotHealthy(verdict.notHealthy)[0]).toMatch(
      /i-new2:80 unused Target\.NotInUse.*Availability Zone is not enabled on the load balancer/,
    );
  });

  it('item 7: counts distinct instances, not registrations: one instance on two ports is one', () => {
    const twice = [target('i-new1', 'healthy'), { ...target('i-new1', 'healthy'), port: 8080 }];
    expect(evaluateTargets(twice, expect2)).toMatchObject({ ready: false, healthy: 1 });
    const halfHealthy = [
      target('i-new1', 'healthy'),
      target('i-new2', 'healthy'),
      { ...target('i-new2', 'initial', 'Elb.InitialHealthChecking'), port: 8080 },
    ];
    expect(evaluateTargets(halfHealthy, expect2)).toMatchObject({ ready: false, healthy: 1 });
  });

  it('needs every target group to have enough healthy targets', () => {
    const other = TG.replace('web/', 'api/');
    const verdict = evaluateTargets(
      [
        target('i-new1', 'healthy'),
        target('i-new2', 'healthy'),
        { ...target('i-new1', 'healthy'), targetGroupArn: other },
      ],
      { ...expect2, targetGroupArns: [TG, other] },
    );
    expect(verdict).toMatchObject({ ready: false, healthy: 1 });
  });

  it('explains each target that is not healthy with its reason code and a hint', () => {
    const lines = describeNotHealthy([target('i-x', 'unhealthy', 'Target.ResponseCodeMismatch')]);
    expect(lines[0]).toMatch(
      /^i-x:80 unhealthy Target.ResponseCodeMismatch: Health checks failed -> .*ALLOWED_HOSTS/,
    );
  });
});

describe('isGroupOnVersion', () => {
  const instance = (instanceId: string, launchTemplateId = 'lt-1', version = '3') => ({
    instanceId,
    lifecycleState: 'InService',
    availabilityZone: 'a',
    launchTemplateId,
    launchTemplateVersion: version,
    protectedFromScaleIn: false,
  });
  const group: GroupSnapshot = {
    name: 'web',
    desiredCapacity: 2,
    launchTemplateId: 'lt-1',
    launchTemplateVersion: '3',
    targetGroupArns: [TG],
    instances: [instance('i-1'), instance('i-2')],
    maxSize: 5,
    suspendedProcesses: [],
    defaultInstanceWarmup: undefined,
  };
  const v3 = { launchTemplateId: 'lt-1', version: 3 };
  it('is true only when the group and every in-service instance run the version', () => {
    expect(isGroupOnVersion(group, v3)).toBe(true);
    expect(isGroupOnVersion(group, { ...v3, version: 4 })).toBe(false);
    expect(isGroupOnVersion({ ...group, launchTemplateVersion: '$Latest' }, v3)).toBe(false);
    expect(
      isGroupOnVersion({ ...group, instances: [instance('i-1'), instance('i-2', 'lt-1', '2')] }, v3),
    ).toBe(false);
    expect(isGroupOnVersion({ ...group, instances: [instance('i-1')] }, v3)).toBe(false);
  });

  it('item 5: compares the launch template id too, for the group and for every instance', () => {
    const movedTemplate = { launchTemplateId: 'lt-new', version: 3 };
    expect(isGroupOnVersion({ ...group, launchTemplateId: 'lt-new' }, movedTemplate)).toBe(false);
    expect(upToDateInstanceIds({ ...group, launchTemplateId: 'lt-new' }, movedTemplate).size).toBe(0);
    expect(isGroupOnVersion(group, movedTemplate)).toBe(false);
  });
});

describe('refreshPreferences', () => {
  const settings = (values: Record<string, string>) =>
    parseConfig(inputsFrom({ command: 'rollout', 'aws-region': 'eu-west-1', 'asg-name': 'web', ...values }))
      .rollout;

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
