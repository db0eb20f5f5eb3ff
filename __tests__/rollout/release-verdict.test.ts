import type { GroupSnapshot, TargetState } from '../../src/fleet';
import { createReleaseVerdict, FAILED_INSTANCES_FOR_VERDICT } from '../../src/rollout/releaseVerdict';

const TARGET = { launchTemplateId: 'lt-1', version: 2 };

function group(instances: [string, string, string?, string?][]): GroupSnapshot {
  return {
    name: 'web',
    desiredCapacity: 2,
    launchTemplateId: 'lt-1',
    launchTemplateVersion: '1',
    targetGroupArns: ['tg'],
    maxSize: 4,
    suspendedProcesses: [],
    defaultInstanceWarmup: undefined,
    instances: instances.map(([instanceId, lifecycleState, version = '2', healthStatus = 'Healthy']) => ({
      instanceId,
      lifecycleState,
      availabilityZone: 'a',
      launchTemplateId: 'lt-1',
      launchTemplateVersion: version,
      protectedFromScaleIn: false,
      healthStatus,
    })),
  };
}

function target(id: string, state: string, reason?: string): TargetState {
  return { targetGroupArn: 'tg', id, port: 80, state, reason, description: undefined };
}

describe('the fast verdict on a release', () => {
  it(`needs ${FAILED_INSTANCES_FOR_VERDICT} instances of the release taken out by AWS after failing their checks`, () => {
    const verdict = createReleaseVerdict(TARGET);
    verdict.note(
      group([
        ['i-a', 'InService'],
        ['i-old', 'InService', '1'],
      ]),
      [target('i-a', 'unhealthy', 'Target.ResponseCodeMismatch')],
    );
    // AWS marks i-a Unhealthy and launches i-b: one failure is a host, not yet the release.
    verdict.note(
      group([
        ['i-a', 'InService', '2', 'Unhealthy'],
        ['i-b', 'InService'],
      ]),
    );
    expect(verdict.verdict()).toBeUndefined();
    verdict.note(group([['i-b', 'InService']]), [target('i-b', 'unhealthy', 'Target.Timeout')]);
    verdict.note(
      group([
        ['i-b', 'Terminating'],
        ['i-c', 'InService'],
      ]),
    );

    const judged = verdict.verdict();
    expect(judged?.failed.map((item) => item.instanceId)).toEqual(['i-a', 'i-b']);
    expect(judged?.summary).toContain(
      'i-a: unhealthy (Target.ResponseCodeMismatch), marked Unhealthy by Auto Scaling',
    );
    expect(judged?.summary).toContain('i-b: unhealthy (Target.Timeout), taken out of service (Terminating)');
  });

  it('ignores instances that once passed, the load balancer’s own errors, and other versions', () => {
    const verdict = createReleaseVerdict(TARGET);
    verdict.note(
      group([
        ['i-a', 'InService'],
        ['i-b', 'InService'],
        ['i-old', 'InService', '1'],
      ]),
      [
        target('i-a', 'healthy'),
        target('i-b', 'unhealthy', 'Elb.InternalError'),
        target('i-old', 'unhealthy', 'Target.Timeout'),
      ],
    );
    verdict.note(group([]));
    expect(verdict.failedInstanceIds()).toEqual([]);
    expect(verdict.verdict()).toBeUndefined();
  });
});
