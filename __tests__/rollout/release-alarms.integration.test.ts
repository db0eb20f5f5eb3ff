/**
 * Release alarms through the action's real entrypoint (`node dist/index.js`) against the emulated
 * region: the refresh is started with AlarmSpecification and BakeTime; an alarm that goes into
 * ALARM while the refresh replaces instances, or while it bakes, makes AWS roll the release back
 * and the action fail `alarm-rolled-back`; alarms that cannot fire within the bake are refused
 * before anything changes. The alarm is moved with SetAlarmState, CloudWatch's own lever for
 * testing an alarm (the load balancer's metrics driving them for real are the demo's and the
 * harness tests' part).
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { DEPLOYED_COMMIT, startHealthServer } from '../../emulation/healthServer';
import { runAction } from '../../emulation/runAction';
import { seedRegion, type SeededStack } from '../../emulation/seedRegion';

const ALARM = 'web-release-errors';

let region: EmulatedRegion;
let health: Awaited<ReturnType<typeof startHealthServer>>;
let stack: SeededStack;
let autoScaling: AutoScalingClient;
let cloudWatch: CloudWatchClient;

beforeAll(async () => {
  region = await startEmulatedRegion();
  health = await startHealthServer();
  autoScaling = new AutoScalingClient(region.clientConfig);
  cloudWatch = new CloudWatchClient(region.clientConfig);
});

afterAll(async () => {
  await health.close();
  await region.stop();
});

beforeEach(async () => {
  await region.reset();
  health.reset();
  stack = await seedRegion(region, { healthCheckGracePeriod: 30 });
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

function rollout(extra: Record<string, string>) {
  return runAction(
    {
      command: 'rollout',
      'aws-region': region.region,
      'aws-endpoint-url': region.endpoint,
      'asg-name': stack.asgName,
      'app-url': health.url,
      'expected-commit': DEPLOYED_COMMIT,
      'rollback-alarms': ALARM,
      ...extra,
    },
    region.actionClockEnv(),
  );
}

async function refreshStatus(): Promise<string | undefined> {
  const response = await autoScaling.send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: stack.asgName }),
  );
  return response.InstanceRefreshes?.[0]?.Status;
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
  const response = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }),
  );
  return (response.AutoScalingGroups?.[0]?.Instances ?? [])
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
    const refreshes = await autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: stack.asgName }),
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
