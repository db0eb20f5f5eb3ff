/**
 * Which AWS calls the rollout makes in which phase, and how many per minute, at the defaults.
 *
 * A recording client stands in for AWS here, on the fake clock: the subject is the timing of
 * each call against a refresh whose every transition is pinned to the second (instances
 * InService after `launchSeconds`, targets healthy `healthySeconds` later, the refresh Successful
 * once they are healthy and warmed up), which neither moto nor the emulated region can pin, and
 * whose call log they do not keep per phase. The same behaviour is measured against the emulated
 * region by bench/rollout-detection.ts.
 */
import type { AwsClients } from '../../src/aws';
import type { DeployError } from '../../src/errors';
import { runRollout } from '../../src/rollout';
import type { GroupSnapshot } from '../../src/fleet';
import { createSuccessBound, nextCheckInMs } from '../../src/rollout/pacing';
import { VERDICT_READ_DELAY_MS } from '../../src/rollout/watch';
import { createFakeClock } from '../support/fakeClock';
import { rolloutSettings } from '../support/config';
import { createRecorder } from '../support/recorder';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const WARMUP_SECONDS = 30;

interface Scenario {
  /** Seconds from StartInstanceRefresh until the new instances are InService (and registered). */
  launchSeconds: number;
  /** Seconds from InService until their targets are healthy. */
  healthySeconds: number;
  /** When set, the refresh fails at this second instead of succeeding. */
  failAtSeconds?: number;
  /** When set, the targets turn healthy only then (a group on EC2 health checks ends first). */
  targetsHealthyAtSeconds?: number;
  /** When set, a scale-out instance i-5 joins the group and its target group then. */
  scaleOutAtSeconds?: number;
  /** When set, the new targets fail their health checks from then on, and the reason says so. */
  unhealthyFromSeconds?: number;
}

interface Call {
  at: number;
  name: string;
}

/** A group of two on lt-1 v1, rolled to v2 by a refresh that follows the scenario's timeline. */
function createRegion(scenario: Scenario, now: () => number) {
  const calls: Call[] = [];
  let startedAt: number | undefined;
  const since = () => (startedAt === undefined ? -1 : (now() - startedAt) / 1000);
  const inService = () => since() >= scenario.launchSeconds;
  const refreshHealthyAt = scenario.launchSeconds + scenario.healthySeconds;
  const healthyAt = scenario.targetsHealthyAtSeconds ?? refreshHealthyAt;
  const endsAt =
    scenario.failAtSeconds ?? Math.max(refreshHealthyAt, scenario.launchSeconds + WARMUP_SECONDS);
  const newIds = () =>
    since() >= (scenario.scaleOutAtSeconds ?? Infinity) ? ['i-3', 'i-4', 'i-5'] : ['i-3', 'i-4'];
  const ended = () => startedAt !== undefined && since() >= endsAt;
  const failing = () => since() >= (scenario.unhealthyFromSeconds ?? Infinity);
  const succeeded = () => ended() && scenario.failAtSeconds === undefined;

  const instance = (id: string, version: string, state: string) => ({
    InstanceId: id,
    LifecycleState: state,
    AvailabilityZone: 'eu-west-1a',
    ProtectedFromScaleIn: false,
    LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: version },
  });
  const answers: Record<string, () => unknown> = {
    DescribeAutoScalingGroupsCommand: () => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web',
          DesiredCapacity: 2,
          MaxSize: 5,
          HealthCheckGracePeriod: 120,
          DefaultInstanceWarmup: WARMUP_SECONDS,
          LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: succeeded() ? '2' : '1' },
          TargetGroupARNs: [TG],
          Instances: [
            instance('i-1', '1', succeeded() ? 'Terminating' : 'InService'),
            instance('i-2', '1', succeeded() ? 'Terminating' : 'InService'),
            ...(startedAt === undefined
              ? []
              : newIds().map((id) => instance(id, '2', inService() ? 'InService' : 'Pending'))),
          ],
        },
      ],
    }),
    DescribeLaunchTemplatesCommand: () => ({ LaunchTemplates: [{ LatestVersionNumber: 2 }] }),
    StartInstanceRefreshCommand: () => {
      startedAt = now();
      return { InstanceRefreshId: 'r-1' };
    },
    DescribeInstanceRefreshesCommand: () => {
      if (startedAt === undefined) return { InstanceRefreshes: [] };
      const status = !ended() ? 'InProgress' : scenario.failAtSeconds === undefined ? 'Successful' : 'Failed';
      return {
        InstanceRefreshes: [
          {
            InstanceRefreshId: 'r-1',
            Status: status,
            StatusReason:
              status === 'Failed'
                ? 'Instance refresh failed: launch failed'
                : status === 'InProgress' && failing()
                  ? 'Waiting for instances to pass their health checks: i-3 is unhealthy'
                  : undefined,
            PercentageComplete: status === 'Successful' ? 100 : 0,
            InstancesToUpdate: status === 'Successful' ? 0 : 2,
          },
        ],
      };
    },
    DescribeTargetHealthCommand: () => ({
      TargetHealthDescriptions: [
        ...['i-1', 'i-2'].map((id) => ({
          Target: { Id: id, Port: 80 },
          TargetHealth: { State: succeeded() ? 'draining' : 'healthy' },
        })),
        ...(inService()
          ? newIds().map((id) => ({
              Target: { Id: id, Port: 80 },
              TargetHealth: failing()
                ? { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' }
                : since() >= healthyAt
                  ? { State: 'healthy' }
                  : { State: 'initial', Reason: 'Elb.InitialHealthChecking' },
            }))
          : []),
      ],
    }),
  };
  const client = {
    send: (command: object) => {
      const name = command.constructor.name;
      calls.push({ at: now(), name: name.replace(/Command$/, '') });
      const answer = answers[name];
      if (!answer) return Promise.reject(new Error(`unexpected ${name}`));
      return Promise.resolve(answer());
    },
  };
  const clients = {
    autoScaling: client,
    ec2: client,
    elbv2: client,
    logs: client,
    ssm: client,
    cloudWatch: client,
  } as unknown as AwsClients;
  return {
    clients,
    calls,
    startedAt: () => startedAt ?? Number.NaN,
    /** Seconds after the start at which the rollout is done as AWS would report it. */
    doneAtSeconds: endsAt,
  };
}

async function roll(scenario: Scenario) {
  const { clock } = createFakeClock();
  const region = createRegion(scenario, () => clock.now());
  const recorder = createRecorder();
  const settings = rolloutSettings();
  const outcome = await runRollout(
    { clients: region.clients, log: recorder.log, clock, fetch: globalThis.fetch },
    settings,
    'eu-west-1',
  ).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as DeployError }),
  );
  const seconds = (at: number) => (at - region.startedAt()) / 1000;
  return {
    ...outcome,
    recorder,
    doneAtSeconds: region.doneAtSeconds,
    finishedAtSeconds: seconds(clock.now()),
    /** Every call, timed in seconds after StartInstanceRefresh. */
    calls: region.calls.map((call) => ({ at: seconds(call.at), name: call.name })),
  };
}

/** The most calls in any 60 s: each window starts at a call, where the busiest one can start. */
function busiestMinute(calls: { at: number }[]): number {
  return Math.max(
    ...calls.map(({ at }) => calls.filter((other) => other.at >= at && other.at < at + 60).length),
  );
}

describe('phase-aware polling at the defaults (5 s poll interval)', () => {
  it('asks only for the refresh while its warmup makes success impossible, and re-reads only the group when that bound is reached', async () => {
    const { result, calls } = await roll({ launchSeconds: 40, healthySeconds: 20 });

    expect(result?.refreshStatus).toBe('Successful');
    // Before the warmup can have passed (30 s after the start) only the refresh is asked, every 15 s.
    const quiet = calls.filter((call) => call.at > 0 && call.at < WARMUP_SECONDS);
    expect(quiet).toEqual([{ at: 15, name: 'DescribeInstanceRefreshes' }]);
    // At 30 s the new instances are still Pending, so the bound moves to 30 + 30 s; at 60 s they
    // are InService (since after 30 s), so success is possible from then on: polls every 5 s.
    expect(calls.filter((call) => call.at >= WARMUP_SECONDS)).toEqual([
      { at: 30, name: 'DescribeInstanceRefreshes' },
      { at: 30, name: 'DescribeAutoScalingGroups' },
      { at: 45, name: 'DescribeInstanceRefreshes' },
      { at: 60, name: 'DescribeInstanceRefreshes' },
      { at: 60, name: 'DescribeAutoScalingGroups' },
      // The first check after success became possible comes at half the interval.
      { at: 62.5, name: 'DescribeInstanceRefreshes' },
      { at: 67.5, name: 'DescribeInstanceRefreshes' },
      // Successful at 70 s: the group and its targets once, and the verdict is in.
      { at: 72.5, name: 'DescribeInstanceRefreshes' },
      { at: 72.5, name: 'DescribeAutoScalingGroups' },
      { at: 72.5, name: 'DescribeTargetHealth' },
    ]);
  });

  it.each([
    ['fast instances', { launchSeconds: 0, healthySeconds: 20 }],
    ['instances that boot in 40 s', { launchSeconds: 40, healthySeconds: 20 }],
    ['an app that takes 90 s to answer its health check', { launchSeconds: 40, healthySeconds: 90 }],
    ['a slow boot and a slow app', { launchSeconds: 120, healthySeconds: 150 }],
  ])('with %s, notices the end within 5 s', async (_label, scenario) => {
    const { result, doneAtSeconds, finishedAtSeconds, calls } = await roll(scenario);

    expect(result?.healthyTargets).toBe(2);
    expect(finishedAtSeconds - doneAtSeconds).toBeGreaterThanOrEqual(0);
    expect(finishedAtSeconds - doneAtSeconds).toBeLessThanOrEqual(5);
    // While success is possible but not there yet, one call per check: the refresh's state; only
    // once that has lasted two minutes, the group and its targets for the fast verdict (watch.ts).
    const possibleFrom = scenario.launchSeconds + WARMUP_SECONDS;
    const possible = calls.filter((call) => call.at > possibleFrom && call.at < doneAtSeconds);
    // The action dates InService from the last read that did not see it (pacing.ts), up to two
    // quiet checks (30 s) before the moment itself: its verdict reads may start that much earlier.
    const early = possible.filter((call) => call.at < possibleFrom + VERDICT_READ_DELAY_MS / 1000 - 30);
    expect(new Set(early.map((call) => call.name))).toEqual(
      early.length === 0 ? new Set() : new Set(['DescribeInstanceRefreshes']),
    );
    const verdictReads = possible.filter((call) => call.name === 'DescribeAutoScalingGroups');
    expect(verdictReads.length).toBeLessThanOrEqual(
      Math.ceil(Math.max(0, doneAtSeconds - possibleFrom + 30 - VERDICT_READ_DELAY_MS / 1000) / 60),
    );
  });

  it.each([
    ['fast instances', 12, { launchSeconds: 0, healthySeconds: 20 }],
    ['instances that boot in 40 s', 12, { launchSeconds: 40, healthySeconds: 20 }],
    // Success is possible from 70 s and reached at 130 s: a minute of one call per 5 s, then the
    // verdict's two reads. This is what stands between a slow app and 12 in every minute.
    ['an app that takes 90 s to answer its health check', 14, { launchSeconds: 40, healthySeconds: 90 }],
    // Success comes two minutes after it became possible: the fast verdict's first read of the
    // group and its targets (watch.ts) lands in that minute too.
    ['a slow boot and a slow app', 16, { launchSeconds: 120, healthySeconds: 150 }],
  ])(
    'with %s, makes at most %i calls in any minute, and 12 a minute while waiting',
    async (_label, most, scenario) => {
      const { calls, finishedAtSeconds } = await roll(scenario);

      expect(busiestMinute(calls)).toBeLessThanOrEqual(most);
      // While waiting (from StartInstanceRefresh to the verdict): at most 12 a minute on average.
      const waiting = calls.filter((call) => call.at > 0);
      expect(waiting.length / (finishedAtSeconds / 60)).toBeLessThanOrEqual(12);
    },
  );

  it('notices a refresh that fails while success is still impossible at the next quiet check, within 15 s', async () => {
    const { error, calls } = await roll({ launchSeconds: 40, healthySeconds: 20, failAtSeconds: 16 });

    expect(error?.reason).toBe('refresh-failed');
    expect(error?.message).toContain('ended Failed: Instance refresh failed: launch failed');
    const sawFailure = calls.filter((call) => call.name === 'DescribeInstanceRefreshes').at(-1);
    expect(sawFailure?.at).toBe(30);
  });

  it('reads the targets when the refresh’s reason changes, so a failing target is logged with its code while it fails', async () => {
    const { error, calls, recorder } = await roll({
      launchSeconds: 0,
      healthySeconds: 60,
      unhealthyFromSeconds: 20,
      failAtSeconds: 50,
    });

    expect(error?.reason).toBe('refresh-failed');
    expect(calls.filter((call) => call.at > 0 && call.at <= 30)).toEqual([
      { at: 15, name: 'DescribeInstanceRefreshes' },
      { at: 30, name: 'DescribeInstanceRefreshes' },
      // The bound is reached: the group is read; the reason changed: the targets are judged
      // against that read.
      { at: 30, name: 'DescribeAutoScalingGroups' },
      { at: 30, name: 'DescribeTargetHealth' },
    ]);
    expect(recorder.text()).toMatch(/target i-3:80: unhealthy \(Target\.ResponseCodeMismatch\)/);
  });

  it('after the refresh, reads target health alone, and the group again only when the targets change', async () => {
    // The refresh ends at 30 s (its warmup), the new targets are healthy only at 50 s, and a
    // scale-out instance registers at 40 s.
    const { result, calls, finishedAtSeconds } = await roll({
      launchSeconds: 0,
      healthySeconds: 0,
      targetsHealthyAtSeconds: 50,
      scaleOutAtSeconds: 40,
    });

    expect(result?.healthyTargets).toBe(3);
    expect(finishedAtSeconds).toBe(50);
    expect(calls.filter((call) => call.at >= WARMUP_SECONDS)).toEqual([
      { at: 30, name: 'DescribeInstanceRefreshes' },
      { at: 30, name: 'DescribeAutoScalingGroups' },
      { at: 30, name: 'DescribeTargetHealth' },
      { at: 35, name: 'DescribeTargetHealth' },
      // i-5's target is one the last group read did not explain: the group is read again.
      { at: 40, name: 'DescribeTargetHealth' },
      { at: 40, name: 'DescribeAutoScalingGroups' },
      { at: 45, name: 'DescribeTargetHealth' },
      { at: 50, name: 'DescribeTargetHealth' },
    ]);
  });
});

describe('the bound on success (pure)', () => {
  const target = { launchTemplateId: 'lt-1', version: 2 };
  const group = (instances: [string, string, string][]): GroupSnapshot => ({
    name: 'web',
    desiredCapacity: 2,
    launchTemplateId: 'lt-1',
    launchTemplateVersion: '1',
    targetGroupArns: [TG],
    maxSize: 5,
    suspendedProcesses: [],
    defaultInstanceWarmup: undefined,
    instances: instances.map(([instanceId, version, lifecycleState]) => ({
      instanceId,
      lifecycleState,
      availabilityZone: 'eu-west-1a',
      launchTemplateId: 'lt-1',
      launchTemplateVersion: version,
      protectedFromScaleIn: false,
    })),
  });
  const bound = () =>
    createSuccessBound({ target, warmupMs: 30_000, required: (snapshot) => snapshot.desiredCapacity });

  // Two InService instances on the versions listed, the refresh started at 1000 ms.
  const startCases: [string, [string, string], boolean, number][] = [
    ['is the start plus the warmup when instances must be replaced', ['1', '2'], false, 31_000],
    [
      'is no bound when every instance already runs the target and skip-matching keeps them',
      ['2', '2'],
      false,
      Number.NEGATIVE_INFINITY,
    ],
    ['with force-refresh, counts instances already on the target as replaced', ['2', '2'], true, 31_000],
  ];
  for (const [name, [first, second], forceRefresh, earliest] of startCases) {
    it(name, () => {
      const tracked = bound();
      tracked.start(
        group([
          ['i-1', first, 'InService'],
          ['i-2', second, 'InService'],
        ]),
        1000,
        forceRefresh,
      );
      expect(tracked.earliest()).toBe(earliest);
    });
  }

  it('moves out while a new instance is not InService, and dates one from the last read that did not see it', () => {
    const tracked = bound();
    tracked.start(
      group([
        ['i-1', '1', 'InService'],
        ['i-2', '1', 'InService'],
      ]),
      0,
      false,
    );
    tracked.note(
      group([
        ['i-3', '2', 'Pending'],
        ['i-4', '2', 'InService'],
      ]),
      20_000,
    );
    expect(tracked.earliest()).toBe(50_000);
    tracked.note(
      group([
        ['i-3', '2', 'InService'],
        ['i-4', '2', 'InService'],
      ]),
      40_000,
    );
    // i-3 came InService after 20 s, i-4 after 0 s (it was not there at the start).
    expect(tracked.earliest()).toBe(50_000);
  });

  it('checks quietly until success is possible, at half the interval right after, then every interval', () => {
    expect(nextCheckInMs(0, 40_000, 5000)).toBe(15_000);
    expect(nextCheckInMs(30_000, 40_000, 5000)).toBe(10_000);
    expect(nextCheckInMs(40_000, 40_000, 5000, true)).toBe(2500);
    expect(nextCheckInMs(42_500, 40_000, 5000)).toBe(5000);
  });
});
