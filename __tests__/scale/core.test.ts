import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from '../../src/aws';
import { DeployError } from '../../src/errors';
import { parseConfig } from '../../src/inputs';
import { describePolicyAlarms } from '../../src/scale/aws';
import { burnScript, executionTimeoutSeconds } from '../../src/scale/burn';
import { scaleTestOutputs, scaleTestSummary } from '../../src/scale/report';
import { renderTimeline, ScaleTimeline, type ScaleSample } from '../../src/scale/timeline';
import { scaleInRefusal, secondsToScaleIn } from '../../src/scale/scaleIn';
import { explainFailure, upFrontRefusal, type AlarmFacts, type GroupFacts } from '../../src/scale/verdict';
import { inputsFrom } from '../support/inputs';
import { configFor } from '../support/config';
import { configProblems } from '../support/rejection';
import { TG, target } from '../support/targets';

const ALARM: AlarmFacts = {
  name: 'TargetTracking-web-AlarmHigh-1',
  threshold: 70,
  periodSeconds: 60,
  datapointsToAlarm: 3,
};
const GROUP: GroupFacts = {
  name: 'web',
  desiredCapacity: 2,
  maxSize: 5,
  suspendedProcesses: [],
  warmupSeconds: 300,
};

function sample(at: number, overrides: Partial<ScaleSample> = {}): ScaleSample {
  return {
    at,
    cpu: { latest: 10, peak: 10 },
    alarmState: 'OK',
    desiredCapacity: 2,
    inServiceIds: ['i-1', 'i-2'],
    activities: [],
    targets: [target('i-1'), target('i-2')],
    invocations: [
      { instanceId: 'i-1', status: 'InProgress', detail: 'InProgress', stderr: undefined },
      { instanceId: 'i-2', status: 'InProgress', detail: 'InProgress', stderr: undefined },
    ],
    ...overrides,
  };
}

function timeline(): ScaleTimeline {
  return new ScaleTimeline({
    capacity: 2,
    instanceIds: ['i-1', 'i-2'],
    targetGroupArns: [TG],
    targetValue: 70,
    alarmName: ALARM.name,
  });
}

/** Host processes whose environment holds `marker` (NAME=value). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the burn script', () => {
  it('runs its busy loops and ends by itself after the duration', () => {
    const result = spawnSync('sh', ['-c', burnScript(1, 1)], { encoding: 'utf8', timeout: 20_000 });
    // Ended by itself: not stopped by the 20 s guard (which would set error and signal).
    expect({ error: result.error, signal: result.signal, status: result.status }).toEqual({
      error: undefined,
      signal: null,
      status: 0,
    });
    expect(result.stdout).toMatch(/scale-test: \d+ busy loops \(1 per vCPU, \d+ vCPUs\) for 1s\n/);
    expect(result.stdout).toContain('load ended');
  });

  it("keeps every busy loop in its process group: the SSM agent's group kill ends the whole load", async () => {
    // As the agent runs it: the script leads its own process group (Setpgid), and a cancel or
    // the executionTimeout is SIGKILL to that group and nothing else.
    const marker = `HA_BURN_TEST=${process.pid}-${Date.now()}`;
    const script = spawn('sh', ['-c', burnScript(300, 2)], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, HA_BURN_TEST: marker.split('=')[1] },
    });
    const pid = script.pid ?? 0;
    try {
      await until(() => processesWith(marker).length >= 3);
      process.kill(-pid, 'SIGKILL');
      await until(() => processesWith(marker).length === 0);
    } finally {
      for (const left of processesWith(marker)) process.kill(left, 'SIGKILL');
    }
  });

  it('gives SSM a hard limit a minute past the burn', () => {
    expect(executionTimeoutSeconds(600)).toBe(660);
  });
});

describe('ScaleTimeline', () => {
  it('logs only changes and records the alarm, the scale-out decision and the new capacity serving', () => {
    const line = timeline();
    expect(line.observe(sample(0))).toEqual(
      expect.arrayContaining(['load on i-1: InProgress', 'group CPU 10.0% (target 70%, peak 10.0%)']),
    );
    expect(line.observe(sample(5_000))).toEqual([]);
    const high = { cpu: { latest: 95, peak: 95 }, alarmState: 'ALARM' };
    expect(line.observe(sample(60_000, high))).toEqual(
      expect.arrayContaining([`alarm ${ALARM.name}: ALARM`, 'group CPU 95.0% (target 70%, peak 95.0%)']),
    );
    const activity = {
      id: 'a-1',
      description: 'Launching 1 EC2 instance(s)',
      cause: 'alarm',
      statusCode: 'Successful',
      statusMessage: undefined,
      startTime: 0,
    };
    line.observe(
      sample(70_000, {
        ...high,
        desiredCapacity: 3,
        activities: [activity],
        inServiceIds: ['i-1', 'i-2', 'i-3'],
        targets: [target('i-1'), target('i-2'), target('i-3', 'initial', 'Elb.RegistrationInProgress')],
      }),
    );
    expect(line.milestones).toMatchObject({ alarmAt: 60_000, scaleOutAt: 70_000, servingAt: undefined });
    const lines = line.observe(
      sample(90_000, {
        ...high,
        desiredCapacity: 3,
        activities: [activity],
        inServiceIds: ['i-1', 'i-2', 'i-3'],
        targets: [target('i-1'), target('i-2'), target('i-3')],
      }),
    );
    expect(lines).toContain('new capacity serves: i-3 healthy, 3 targets');
    expect(line.milestones.servingAt).toBe(90_000);
    expect(renderTimeline(line)).toEqual([
      '[    0s] load sent to 2 instances, capacity 2',
      `[ 1m00s] alarm ${ALARM.name}: ALARM`,
      '[ 1m10s] scaling activity Successful: Launching 1 EC2 instance(s)',
      '[ 1m10s] desired capacity 3 (was 2), 3 in service',
      '[ 1m30s] new capacity serves: i-3 healthy, 3 targets',
    ]);
  });

  it('does not count a new instance that is healthy in one target group only', () => {
    const other = TG.replace('web/0123456789abcdef', 'api/fedcba9876543210');
    const line = new ScaleTimeline({
      capacity: 1,
      instanceIds: ['i-1'],
      targetGroupArns: [TG, other],
      targetValue: 70,
      alarmName: 'a',
    });
    const both = (id: string, state = 'healthy') => [
      target(id, state),
      { ...target(id, state), targetGroupArn: other },
    ];
    expect(
      line.newCapacityServes(
        sample(0, {
          desiredCapacity: 2,
          inServiceIds: ['i-1', 'i-2'],
          targets: [...both('i-1'), target('i-2')],
        }),
      ),
    ).toBe(false);
    expect(
      line.newCapacityServes(
        sample(0, {
          desiredCapacity: 2,
          inServiceIds: ['i-1', 'i-2'],
          targets: [...both('i-1'), ...both('i-2')],
        }),
      ),
    ).toBe(true);
  });
});

describe('explainFailure', () => {
  it('names the peak CPU against the target when the alarm never fired', () => {
    const line = timeline();
    line.observe(sample(0, { cpu: { latest: 41.2, peak: 48.5 } }));
    const error = explainFailure(line, ALARM, GROUP, 600_000);
    expect(error.reason).toBe('alarm-not-fired');
    expect(error.message).toContain('never fired in 10m00s: peak group CPU 48.5%, target 70%');
    expect(error.message).toContain('needs 3 datapoints of 60 s above 70');
    expect(error.nextSteps).toContain('stress-workers-per-vcpu');
  });

  it('says no datapoint arrived when the metric stayed empty', () => {
    const line = timeline();
    line.observe(sample(0, { cpu: { latest: undefined, peak: undefined } }));
    const error = explainFailure(line, ALARM, GROUP, 60_000);
    expect(error.message).toContain('peak group CPU no datapoint at all');
    expect(error.nextSteps).toContain('detailed monitoring');
  });

  it('names max capacity, suspended processes or the last activity when the alarm fired but nothing scaled', () => {
    const line = timeline();
    line.observe(sample(60_000, { alarmState: 'ALARM', cpu: { latest: 99, peak: 99 } }));
    expect(explainFailure(line, ALARM, { ...GROUP, desiredCapacity: 5 }, 120_000).message).toContain(
      'reached its max capacity 5',
    );
    expect(
      explainFailure(line, ALARM, { ...GROUP, suspendedProcesses: ['AlarmNotification'] }, 120_000).message,
    ).toContain('AlarmNotification suspended');
    expect(explainFailure(line, ALARM, GROUP, 120_000).message).toContain('recorded no scaling activity');
  });

  it('lists the new instances’ reason codes when they never serve', () => {
    const line = timeline();
    line.observe(
      sample(60_000, {
        alarmState: 'ALARM',
        desiredCapacity: 3,
        inServiceIds: ['i-1', 'i-2', 'i-3'],
        targets: [target('i-1'), target('i-2'), target('i-3', 'unhealthy', 'Target.ResponseCodeMismatch')],
      }),
    );
    const error = explainFailure(line, ALARM, GROUP, 600_000);
    expect(error.reason).toBe('new-instances-not-serving');
    expect(error.message).toContain('i-3:80 unhealthy Target.ResponseCodeMismatch');
  });

  it('says the load never ran when every invocation failed', () => {
    const line = timeline();
    line.observe(
      sample(0, {
        invocations: [
          { instanceId: 'i-1', status: 'Failed', detail: 'Failed', stderr: 'sh: timeout: not found' },
          { instanceId: 'i-2', status: 'Undeliverable', detail: undefined, stderr: undefined },
        ],
      }),
    );
    const error = explainFailure(line, ALARM, GROUP, 10_000);
    expect(error.reason).toBe('load-not-started');
    expect(error.message).toContain('i-1 Failed; stderr: sh: timeout: not found');
  });
});

describe('upFrontRefusal', () => {
  it('refuses a group at max capacity and one whose scale-out processes are suspended', () => {
    expect(upFrontRefusal({ ...GROUP, desiredCapacity: 5 })?.reason).toBe('at-max-capacity');
    expect(upFrontRefusal({ ...GROUP, suspendedProcesses: ['Launch'] })?.message).toContain(
      'Launch suspended',
    );
    expect(upFrontRefusal({ ...GROUP, suspendedProcesses: ['ReplaceUnhealthy'] })).toBeUndefined();
  });
});

describe('scale-test inputs', () => {
  const base = { command: 'scale-test', 'aws-region': 'eu-west-1', 'asg-name': 'web' };
  const problems = (extra: Record<string, string>): string[] => configProblems({ ...base, ...extra });

  it('accepts the defaults and names the group directly without Terraform', () => {
    const config = configFor('scale-test', parseConfig(inputsFrom(base)));
    expect(config.scaleTest).toEqual({
      stressDurationSeconds: 600,
      workersPerVcpu: 1,
      timeoutSeconds: 1200,
      waitForScaleIn: false,
    });
  });

  it.each([
    [
      { 'stress-duration-seconds': '29' },
      'stress-duration-seconds: "29"; expected a whole number from 30 to 3600.',
    ],
    [
      { 'stress-duration-seconds': '1.5' },
      'stress-duration-seconds: "1.5"; expected a whole number from 30 to 3600.',
    ],
    [
      { 'stress-workers-per-vcpu': '9' },
      'stress-workers-per-vcpu: "9"; expected a whole number from 1 to 8.',
    ],
    [
      { 'scale-test-timeout-minutes': '0' },
      'scale-test-timeout-minutes: "0"; expected a number of minutes greater than 0 and at most 240.',
    ],
    [{ 'wait-for-scale-in': 'yes' }, 'wait-for-scale-in: "yes"; expected true or false.'],
    [
      { 'stress-duration-seconds': '1300' },
      'stress-duration-seconds: "1300"; must not outlast scale-test-timeout-minutes (20 min = 1200 s): the test stops the load at its deadline.',
    ],
    [
      { 'backend-config': 'bucket=b\nkey=k' },
      'backend-config: scale-test reads the stack from Terraform only when asg-name is empty; set one or the other.',
    ],
    [
      { 'launch-template-version': '3' },
      'launch-template-version: "3"; only applies to command: rollout; scale-test reads it from the Terraform outputs it applies.',
    ],
  ])('rejects %j', (extra, problem) => {
    expect(problems(extra)).toEqual([problem]);
  });

  it('reads the stack from Terraform when no group is named, which needs the backend', () => {
    expect(problems({ 'asg-name': '' })[0]).toMatch(
      /^backend-config: missing; the bundled stack keeps its state in S3/,
    );
  });
});

describe('scale-test report', () => {
  it('leaves milestones that did not happen empty in the outputs and says so in the summary', () => {
    const line = timeline();
    line.observe(sample(0, { cpu: { latest: 30, peak: 33.33 } }));
    const result = {
      asgName: 'web',
      commandId: 'c-1',
      instanceIds: ['i-1', 'i-2'],
      policyName: 'web-cpu',
      alarmName: ALARM.name,
      targetValue: 70,
      capacityBefore: 2,
      capacityAfter: 2,
      peakCpu: line.peakCpu,
      milestones: line.milestones,
      timeline: renderTimeline(line),
      seconds: 600,
    };
    expect(scaleTestOutputs(result)).toMatchObject({
      'time-to-alarm-seconds': '',
      'peak-cpu': '33.3',
      'capacity-after': 2,
    });
    expect(scaleTestSummary(result)).toContain('| Alarm fired | did not happen |');
    expect(scaleTestSummary(result)).toContain('```text\n[    0s] load sent to 2 instances, capacity 2\n```');
  });

  it('keeps hostile AWS names and reasons inside their cells, spans and block in the summary', () => {
    const line = timeline();
    line.observe(sample(0, { cpu: { latest: 30, peak: 33.33 } }));
    const hostile = '`x`|</td><img src=https://evil.example/>[l](https://evil.example/)';
    const summary = scaleTestSummary({
      asgName: `web${hostile}`,
      commandId: `c-1${hostile}`,
      instanceIds: ['i-1'],
      policyName: `cpu${hostile}`,
      alarmName: `alarm${hostile}`,
      targetValue: 70,
      capacityBefore: 2,
      capacityAfter: 2,
      peakCpu: line.peakCpu,
      milestones: line.milestones,
      timeline: [...renderTimeline(line), '```', `reason: ${hostile}`],
      seconds: 600,
    });
    const lines = summary.split('\n');
    const rows = lines.filter((text) => text.startsWith('| '));
    // Every row has its two cells: no pipe in a name opened a third.
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(4);
    expect(rows.find((row) => row.startsWith('| Auto Scaling group |'))).toContain('``web`x`\\|</td>');
    // The timeline's fence is longer than any backtick run in it, so its ``` line stays inside.
    const fence = lines.find((text) => /^`{4,}text$/.test(text))!.replace(/text$/, '');
    expect(lines.filter((text) => text === fence)).toHaveLength(1);
  });
});

describe('wait-for-scale-in refused up front', () => {
  const high: AlarmFacts = { name: 'high', threshold: 70, periodSeconds: 60, datapointsToAlarm: 3 };
  const low: AlarmFacts = { name: 'low', threshold: 63, periodSeconds: 60, datapointsToAlarm: 15 };
  const facts = {
    policyName: 'web-cpu',
    scaleInDisabled: false,
    high,
    low,
    launchAndHealthSeconds: 300,
    timeoutSeconds: 3600,
  };

  it("sums the alarms' own evaluation (period x datapoints) and the warmup", () => {
    expect(secondsToScaleIn(facts)).toBe(180 + 300 + 900);
    expect(secondsToScaleIn({ ...facts, high: { ...high, periodSeconds: 10 } })).toBe(30 + 300 + 900);
    expect(scaleInRefusal(facts)).toBeUndefined();
    expect(scaleInRefusal({ ...facts, timeoutSeconds: 1380 })).toBeUndefined();
  });

  it('refuses a timeout that cannot hold alarm, launch and health and the low datapoints', () => {
    const refusal = scaleInRefusal({ ...facts, timeoutSeconds: 1379 });
    expect(refusal?.reason).toBe('invalid-input');
    expect(refusal?.message).toContain('wait-for-scale-in: true, but scale-test-timeout-minutes (22m59s)');
    expect(refusal?.message).toContain('high: 3 datapoints of 60 s = 180 s');
    expect(refusal?.message).toContain('low: 15 datapoints of 60 s = 900 s');
    expect(refusal?.message).toContain('at least 1380 s (23m00s). No load was sent.');
    expect(refusal?.nextSteps).toContain('scale-test-timeout-minutes to at least 23');
  });

  it('refuses a policy with scale-in disabled, or without a low alarm, whatever the timeout', () => {
    const disabled = scaleInRefusal({ ...facts, scaleInDisabled: true });
    expect(disabled?.reason).toBe('invalid-input');
    expect(disabled?.message).toContain('policy web-cpu has DisableScaleIn');
    const noLow = scaleInRefusal({ ...facts, low: undefined });
    expect(noLow?.reason).toBe('invalid-input');
    expect(noLow?.message).toContain('no alarm that fires on low values');
  });
});

describe("the policy's alarms, as CloudWatch describes them", () => {
  const policy = {
    name: 'web-cpu',
    arn: 'arn:policy',
    targetValue: 70,
    enabled: true,
    scaleInDisabled: false,
    estimatedWarmupSeconds: 0,
    alarmNames: ['high', 'low'],
  };
  const clientsAnswering = (MetricAlarms: MetricAlarm[]): AwsClients =>
    ({ cloudWatch: { send: () => Promise.resolve({ MetricAlarms }) } }) as unknown as AwsClients;
  const alarm = (name: string, operator: string, period: number | undefined): MetricAlarm => ({
    AlarmName: name,
    ComparisonOperator: operator as MetricAlarm['ComparisonOperator'],
    Period: period,
    DatapointsToAlarm: name === 'high' ? 3 : 15,
    Threshold: 70,
  });

  it('takes each period from the alarm, whatever it is', async () => {
    const { high, low } = await describePolicyAlarms(
      clientsAnswering([alarm('low', 'LessThanThreshold', 30), alarm('high', 'GreaterThanThreshold', 10)]),
      policy,
    );
    expect([high.name, high.periodSeconds, high.datapointsToAlarm]).toEqual(['high', 10, 3]);
    expect([low?.name, low?.periodSeconds, low?.datapointsToAlarm]).toEqual(['low', 30, 15]);
  });

  it('never assumes a period the alarm does not declare', async () => {
    const failure = await describePolicyAlarms(
      clientsAnswering([alarm('high', 'GreaterThanThreshold', undefined)]),
      policy,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeployError);
    expect((failure as DeployError).reason).toBe('no-policy-alarms');
    expect((failure as DeployError).message).toContain('high declares no Period');
  });

  it('reports a policy without a low alarm as such', async () => {
    const { low } = await describePolicyAlarms(
      clientsAnswering([alarm('high', 'GreaterThanThreshold', 60)]),
      policy,
    );
    expect(low).toBeUndefined();
  });
});
