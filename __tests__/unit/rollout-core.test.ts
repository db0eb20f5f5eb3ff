import { parseConfig } from '../../src/config';
import { isGroupOnVersion, type GroupSnapshot } from '../../src/rollout/group';
import { refreshPreferences } from '../../src/rollout/refresh';
import { describeNotHealthy, evaluateTargets, type TargetState } from '../../src/rollout/targets';
import { failureSummary, rolloutOutputs, rolloutSummary } from '../../src/report';
import { inputsFrom } from '../support/inputs';

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

  it('is ready when the desired number of up-to-date group instances are healthy', () => {
    const verdict = evaluateTargets(
      [target('i-new1', 'healthy'), target('i-new2', 'healthy'), target('i-old', 'draining')],
      [TG],
      2,
      upToDate,
    );
    expect(verdict).toMatchObject({ ready: true, healthy: 2 });
    expect(verdict.summary).toBe('1 draining, 2 healthy (need 2 healthy on the new version, have 2)');
  });

  it('does not count healthy instances still on the old version or outside the group', () => {
    const verdict = evaluateTargets(
      [target('i-new1', 'healthy'), target('i-old', 'healthy'), target('i-stray', 'healthy')],
      [TG],
      2,
      upToDate,
    );
    expect(verdict).toMatchObject({ ready: false, healthy: 1 });
  });

  it('is not ready while any target is unhealthy, even with enough healthy ones', () => {
    const verdict = evaluateTargets(
      [
        target('i-new1', 'healthy'),
        target('i-new2', 'healthy'),
        target('i-x', 'unhealthy', 'Target.Timeout'),
      ],
      [TG],
      2,
      upToDate,
    );
    expect(verdict.ready).toBe(false);
    expect(verdict.notHealthy.map((t) => t.id)).toEqual(['i-x']);
  });

  it('needs every target group to have enough healthy targets', () => {
    const other = TG.replace('web/', 'api/');
    const verdict = evaluateTargets(
      [
        target('i-new1', 'healthy'),
        target('i-new2', 'healthy'),
        { ...target('i-new1', 'healthy'), targetGroupArn: other },
      ],
      [TG, other],
      2,
      upToDate,
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
  const group: GroupSnapshot = {
    name: 'web',
    desiredCapacity: 2,
    launchTemplateId: 'lt-1',
    launchTemplateVersion: '3',
    targetGroupArns: [TG],
    instances: [
      { instanceId: 'i-1', lifecycleState: 'InService', availabilityZone: 'a', launchTemplateVersion: '3' },
      { instanceId: 'i-2', lifecycleState: 'InService', availabilityZone: 'b', launchTemplateVersion: '3' },
    ],
    maxSize: 5,
    suspendedProcesses: [],
    defaultInstanceWarmup: undefined,
  };
  it('is true only when the group and every in-service instance run the version', () => {
    expect(isGroupOnVersion(group, 3)).toBe(true);
    expect(isGroupOnVersion(group, 4)).toBe(false);
    expect(isGroupOnVersion({ ...group, launchTemplateVersion: '$Latest' }, 3)).toBe(false);
    const mixed = {
      ...group,
      instances: [group.instances[0]!, { ...group.instances[1]!, launchTemplateVersion: '2' }],
    };
    expect(isGroupOnVersion(mixed, 3)).toBe(false);
    expect(isGroupOnVersion({ ...group, instances: [group.instances[0]!] }, 3)).toBe(false);
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
    smokeUrl: 'http://alb/health/',
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
    expect(rolloutSummary({ ...result, refreshId: undefined, refreshStatus: 'NotNeeded' })).toContain(
      'not needed: already on this version',
    );
  });
  it('escapes table pipes and newlines in failure text', () => {
    const markdown = failureSummary('timeout', 'a | b\nc', 'retry');
    expect(markdown).toContain('| What happened | a \\| b<br>c |');
    expect(markdown).toContain('| What to do | retry |');
  });
});
