/**
 * Release alarms through the action's real entrypoint (`node dist/index.js`) against the emulated
 * region: the refresh is started with AlarmSpecification and BakeTime; an alarm that goes into
 * ALARM while the refresh replaces instances, or while it bakes, makes AWS roll the release back
 * and the action fail `alarm-rolled-back`; alarms that cannot fire within the bake are refused
 * before anything changes. The alarm is moved with SetAlarmState, CloudWatch's own lever for
 * testing an alarm (the load balancer's metrics driving them for real are the demo's and the
 * harness tests' part).
 */
import { DescribeInstanceRefreshesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DEPLOYED_COMMIT } from '../../emulation/healthServer';
import { useRolloutRig } from '../support/rolloutRig';

const ALARM = 'web-release-errors';

const rig = useRolloutRig({ 'expected-commit': DEPLOYED_COMMIT, 'rollback-alarms': ALARM });
const { rollout } = rig;
let cloudWatch: CloudWatchClient;

beforeAll(() => {
  cloudWatch = new CloudWatchClient(rig.region.clientConfig);
});

async function putAlarm(name: string, periodSeconds: number, evaluationPeriods: number): Promise<void> {
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Release',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: periodSeconds,
      EvaluationPeriods: evaluationPeriods,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
}

async function refreshStatus(): Promise<string | undefined> {
  return (await rig.refreshes())[0]?.Status;
}

/** Fires the alarm as soon as the refresh is in `status`. */
async function fireWhen(status: string): Promise<void> {
  for (let tries = 0; tries < 6000; tries += 1) {
    if ((await refreshStatus()) === status) {
      await cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: ALARM,
          StateValue: 'ALARM',
          StateReason:
            'Threshold Crossed: 1 out of the last 1 datapoints [12.0] was greater than the threshold (1.0).',
          StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [12.0] }),
        }),
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the refresh never reached ${status}`);
}

async function inServiceVersions(): Promise<(string | undefined)[]> {
  return ((await rig.group()).Instances ?? [])
    .filter((instance) => instance.LifecycleState === 'InService')
    .map((instance) => instance.LaunchTemplate?.Version);
}

describe('release alarms', () => {
  it('an alarm while the refresh replaces instances: AWS rolls back, the action fails alarm-rolled-back', async () => {
    await putAlarm(ALARM, 60, 1);
    // A long warmup keeps the refresh InProgress long enough to fire the alarm in it.
    const [run] = await Promise.all([rollout({ 'instance-warmup': '600' }), fireWhen('InProgress')]);

    expect(run.outputs['failure-reason']).toBe('alarm-rolled-back');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`release alarms watched by the refresh: ${ALARM}; bake 5m`);
    // OK first, unless the test fired it between the refresh's start and the action's first read.
    expect(run.stdout).toMatch(new RegExp(`alarm ${ALARM}: (OK -> )?ALARM \\(Threshold Crossed`));
    expect(run.stdout).not.toMatch(/refresh \S+ Baking/);
    expect(run.stdout).toMatch(
      new RegExp(`Release alarm ${ALARM} went into ALARM .* AWS rolled the release back`),
    );
    expect(run.stdout).toContain('recent values 12');
    expect(run.summary).toContain('```mermaid');
    expect(run.summary).toContain(`${ALARM} -#62; ALARM`);
    expect(await inServiceVersions()).toEqual(['1', '1']);
  });

  it('an alarm while the refresh bakes: every new instance is rolled back', async () => {
    await putAlarm(ALARM, 60, 1);
    const [run] = await Promise.all([
      rollout({ 'instance-warmup': '30', 'bake-time-seconds': '900' }),
      fireWhen('Baking'),
    ]);

    expect(run.outputs['failure-reason']).toBe('alarm-rolled-back');
    // Fired while Baking (fireWhen saw it): every instance had been replaced when AWS rolled back.
    const refreshes = await rig.autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: rig.stack.asgName }),
    );
    expect(refreshes.InstanceRefreshes?.[0]?.RollbackDetails?.PercentageCompleteOnRollback).toBe(100);
    expect(refreshes.InstanceRefreshes?.[0]?.Preferences).toMatchObject({
      BakeTime: 900,
      AlarmSpecification: { Alarms: [ALARM] },
    });
    expect(run.summary).toContain('```mermaid');
    expect(await inServiceVersions()).toEqual(['1', '1']);
  });

  it('refuses alarms that cannot fire within the bake, before starting anything', async () => {
    await putAlarm(ALARM, 300, 3);

    const run = await rollout({ 'bake-time-seconds': '300' });

    expect(run.outputs['failure-reason']).toBe('invalid-input');
    expect(run.stdout).toContain('rollback-alarms and bake-time-seconds (300 s) cannot guard this refresh');
    expect(run.stdout).toContain(`${ALARM} needs 3 evaluation period(s) x 300 s + 60 s metric delay = 960 s`);
    expect(await refreshStatus()).toBeUndefined();
  });

  it('refuses a missing alarm and one already in ALARM', async () => {
    await putAlarm(ALARM, 60, 1);
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'already' }),
    );

    const run = await rollout({ 'rollback-alarms': `${ALARM},missing-alarm` });

    expect(run.outputs['failure-reason']).toBe('invalid-input');
    expect(run.stdout).toContain('no such alarm in this region: missing-alarm');
    expect(run.stdout).toContain(`${ALARM} is in ALARM now (already)`);
    expect(await refreshStatus()).toBeUndefined();
  });
});
