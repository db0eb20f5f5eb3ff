/** The fleet read model (src/fleet/): target health verdicts and whether a group runs a version. */
import {
  describeNotHealthy,
  evaluateTargets,
  isGroupOnVersion,
  upToDateInstanceIds,
  type GroupSnapshot,
} from '../../src/fleet';
import { TG, target } from '../support/targets';

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
