/**
 * `command: scale-test` through the action's real entrypoint (`node dist/index.js`) against the
 * emulated region: real CPU load through SSM Run Command inside real containers (each seeded
 * instance's OS is a container of the machine's podman, attached to it), CPU measured from their
 * cgroups, target tracking alarms and scaling by the harness. The instances the scale-out
 * launches get their health from the harness's timed target health (the live data plane boots
 * them for real; see e2e/live-scale-test.e2e.test.ts when it is available).
 *
 * The action runs on the region's clock (`region.actionClockEnv()`, default time scale 100): its
 * budgets are simulated minutes, and the alarms' one-minute periods are 0.6 real seconds. The
 * burn inside an instance and SSM's executionTimeout run on the instance's own (real) clock.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GetCommandInvocationCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startContainerRuntime } from '../../emulation/containerRuntime';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { runAction } from '../../emulation/runAction';
import { createScaleTestFleet, emulatedScaleTestInputs } from '../../emulation/scaleTestFleet';
import { seedRegion, type SeededStack } from '../../emulation/seedRegion';

jest.setTimeout(300_000);

let region: EmulatedRegion;
let stack: SeededStack;
let ssm: SSMClient;
let fleet: ReturnType<typeof createScaleTestFleet>;

function scaleTestInputs(extra: Record<string, string> = {}): Record<string, string> {
  return emulatedScaleTestInputs(region, stack, extra);
}

/** Cancelling is asynchronous (in AWS too): waits, bounded, for `check` to hold. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function invocationStatuses(commandId: string, instanceIds: string[]): Promise<string[]> {
  return Promise.all(
    instanceIds.map(
      async (instanceId) =>
        (await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })))
          .Status ?? '',
    ),
  );
}

beforeAll(async () => {
  const runtime = await startContainerRuntime();
  // The region runs `docker exec` into the instances' containers: same runtime as this test.
  process.env.DOCKER_HOST = runtime.dockerHost;
  region = await startEmulatedRegion();
  ssm = new SSMClient(region.clientConfig);
  fleet = createScaleTestFleet(runtime, region);
});

afterAll(async () => {
  await region.stop();
  await fleet.removeContainers();
});

beforeEach(async () => {
  await region.reset();
  stack = await seedRegion(region, { desiredCapacity: 2 });
});

it('loads the fleet, sees the alarm fire and the group scale out, and stops the load once the new capacity serves', async () => {
  // Two busy loops (nproc 2 x 1 per vCPU) against a 0.1 CPU cap: the whole quota of each
  // instance, even on a machine busy with other work.
  const instanceIds = await fleet.bootInstances(stack, ['--cpus', '0.1']);
  await fleet.putCpuPolicy(stack, 40);
  const result = await runAction(scaleTestInputs(), region.actionClockEnv());

  expect(result.stdout).toMatch(/sent AWS-RunShellScript command [0-9a-f-]{36} to i-/);
  expect(result.stdout).toMatch(/alarm TargetTracking-demo-web-asg-AlarmHigh-[0-9a-f-]+: ALARM/);
  expect(result.stdout).toMatch(/scaling activity Successful: Launching \d EC2 instance\(s\)/);
  expect(result.stdout).toMatch(/new capacity serves: i-/);
  expect(result.stdout).toMatch(/load stopped \(the new capacity serves\): cancelled command/);
  expect(result.exitCode).toBe(0);
  const { outputs } = result;
  expect(Number(outputs['capacity-before'])).toBe(2);
  expect(Number(outputs['capacity-after'])).toBeGreaterThan(2);
  // The peak the action saw is reported, and is the one its summary shows; how high the burn
  // drives it on a shared machine is bench/scale-test-timeline.ts's figure.
  expect(outputs['peak-cpu']).toMatch(/^\d+\.\d$/);
  expect(result.summary).toContain(`| Peak CPU | ${outputs['peak-cpu']}% |`);
  const alarm = Number(outputs['time-to-alarm-seconds']);
  const decision = Number(outputs['time-to-scale-out-seconds']);
  const serving = Number(outputs['time-to-serving-seconds']);
  expect(alarm).toBeLessThanOrEqual(decision);
  expect(decision).toBeLessThanOrEqual(serving);
  expect(result.summary).toContain('### Scale test');
  expect(result.summary).toMatch(/```text\n\[ +0s\] load sent to 2 instances, capacity 2\n/);

  await eventually(async () =>
    (await invocationStatuses(outputs['stress-command-id']!, instanceIds)).every((s) => s === 'Cancelled'),
  );
  await eventually(async () => (await fleet.burnProcessesLeft()).length === 0);
});

it("waits for the scale-in once the load is stopped: the low alarm's 15 one-minute datapoints on the region's clock", async () => {
  const instanceIds = await fleet.bootInstances(stack, ['--cpus', '0.1']);
  await fleet.putCpuPolicy(stack, 40);
  const result = await runAction(scaleTestInputs({ 'wait-for-scale-in': 'true' }), region.actionClockEnv());

  expect({ exitCode: result.exitCode, log: result.exitCode === 0 ? '' : result.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
  expect(result.stdout).toMatch(/load stopped \(the new capacity serves\): cancelled command/);
  expect(result.stdout).toMatch(/scaling activity Successful: Terminating \d EC2 instance\(s\)/);
  expect(result.summary).toMatch(/scaled in: desired \d -> \d/);
  const serving = Number(result.outputs['time-to-serving-seconds']);
  const scaleIn = Number(result.outputs['time-to-scale-in-seconds']);
  // The low alarm cannot fire before 15 datapoints of 60 simulated seconds after the load stopped.
  expect(scaleIn - serving).toBeGreaterThanOrEqual(15 * 60 - 60);
  await eventually(async () =>
    (await invocationStatuses(result.outputs['stress-command-id']!, instanceIds)).every(
      (s) => s === 'Cancelled',
    ),
  );
  await eventually(async () => (await fleet.burnProcessesLeft()).length === 0);
});

it('fails naming the peak CPU against the target when the load is too weak to fire the alarm', async () => {
  // One busy loop (the container sees one CPU) against a 2 CPU quota: at most 50% of it.
  const instanceIds = await fleet.bootInstances(stack, ['--cpus', '2', '--cpuset-cpus', '0']);
  await fleet.putCpuPolicy(stack, 70);
  const result = await runAction(
    scaleTestInputs({ 'stress-duration-seconds': '600', 'scale-test-timeout-minutes': '60' }),
    region.actionClockEnv(),
  );

  expect(result.exitCode).toBe(1);
  expect(result.outputs['failure-reason']).toBe('alarm-not-fired');
  const peak = /never fired in \S+: peak group CPU (\d+\.\d)%, target 70%/.exec(result.stdout);
  expect(peak).not.toBeNull();
  // The alarm never went to ALARM (whatever the peak: one datapoint above the target is not three).
  expect(result.stdout).not.toMatch(/AlarmHigh-[0-9a-f-]+: ALARM/);
  expect(result.stdout).toContain('raise stress-workers-per-vcpu');
  expect(result.outputs['peak-cpu']).toBe(peak![1]);
  expect(result.outputs['time-to-alarm-seconds']).toBe('');
  // Stopped by the test, or ended by itself first: either way nothing runs any more.
  expect(result.stdout).toMatch(/load stopped \(the test failed\)|load on i-\w+: Success/);
  await eventually(async () =>
    (await invocationStatuses(result.outputs['stress-command-id']!, instanceIds)).every((s) =>
      ['Cancelled', 'Success'].includes(s),
    ),
  );
  await eventually(async () => (await fleet.burnProcessesLeft()).length === 0);
});

it('stops the load when the job is cancelled mid-test (SIGTERM)', async () => {
  const instanceIds = await fleet.bootInstances(stack, ['--cpus', '0.1']);
  await fleet.putCpuPolicy(stack, 99);
  const inputs = scaleTestInputs({ 'stress-duration-seconds': '3000', 'scale-test-timeout-minutes': '240' });
  const child = spawn(process.execPath, [join(__dirname, '../../dist/index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
      ...region.actionClockEnv(),
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await eventually(() => Promise.resolve(/load on i-\w+: InProgress/.test(stdout)));
  const commandId = /sent AWS-RunShellScript command ([0-9a-f-]{36})/.exec(stdout)![1]!;
  child.kill('SIGTERM');

  expect(await exited).toBe(1);
  expect(stdout).toContain(`load stopped (the run was cancelled): cancelled command ${commandId}`);
  expect(stdout).toContain('The run was cancelled (SIGTERM) during the scale test.');
  let statuses: string[] = [];
  await eventually(async () => {
    statuses = await invocationStatuses(commandId, instanceIds);
    return statuses.every((s) => s === 'Cancelled');
  }, 60_000).catch(() => {
    throw new Error(`invocations ${statuses.join(', ')}; log:\n${stdout.slice(-3000)}`);
  });
  await eventually(async () => (await fleet.burnProcessesLeft()).length === 0);
});

it('refuses a group already at its max capacity before sending any command', async () => {
  stack = await seedRegion(region, { name: 'full', desiredCapacity: 5 });
  await fleet.putCpuPolicy(stack, 70);
  const result = await runAction(scaleTestInputs(), region.actionClockEnv());

  expect(result.exitCode).toBe(1);
  expect(result.outputs['failure-reason']).toBe('at-max-capacity');
  expect(result.stdout).toContain('already runs at its max capacity (desired 5, max 5)');
  expect(result.stdout).toContain('no load was sent');
  expect((await ssm.send(new ListCommandsCommand({}))).Commands ?? []).toEqual([]);
});

it.each([
  ['stress-duration-seconds', '10', /stress-duration-seconds: "10"; expected a whole number from 30 to 3600/],
  ['stress-workers-per-vcpu', '0', /stress-workers-per-vcpu: "0"; expected a whole number from 1 to 8/],
  ['scale-test-timeout-minutes', 'soon', /scale-test-timeout-minutes: "soon"; expected a number of minutes/],
  ['scale-test-timeout-minutes', '20', /must not outlast scale-test-timeout-minutes \(20 min = 1200 s\)/],
])('rejects %s=%s before anything is sent', async (name, value, message) => {
  await fleet.putCpuPolicy(stack, 70);
  const result = await runAction(scaleTestInputs({ [name]: value }), region.actionClockEnv());
  expect(result.exitCode).toBe(1);
  expect(result.outputs['failure-reason']).toBe('invalid-input');
  expect(result.stdout).toMatch(message);
  expect(result.stdout).not.toMatch(/\n\s+at .*\.js:\d+/);
  expect((await ssm.send(new ListCommandsCommand({}))).Commands ?? []).toEqual([]);
});

it.each([
  [
    'a policy with scale-in disabled',
    true,
    '240',
    /wait-for-scale-in: true, but target tracking policy \S+-cpu-target has DisableScaleIn/,
  ],
  [
    'a timeout that cannot hold the alarms, the warmup and the low datapoints',
    false,
    '15',
    /scale-test-timeout-minutes \(15m00s\) cannot hold a scale-out and the scale-in after it: the scale-out alarm TargetTracking-\S+-AlarmHigh-\S+: 3 datapoints of 60 s = 180 s, .* the scale-in alarm TargetTracking-\S+-AlarmLow-\S+: 15 datapoints of 60 s = 900 s: at least 1080 s/,
  ],
])(
  'refuses wait-for-scale-in against %s before any load',
  async (_what, disableScaleIn, timeout, message) => {
    await fleet.putCpuPolicy(stack, 70, disableScaleIn);
    const result = await runAction(
      scaleTestInputs({
        'wait-for-scale-in': 'true',
        'stress-duration-seconds': '600',
        'scale-test-timeout-minutes': timeout,
      }),
      region.actionClockEnv(),
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('invalid-input');
    expect(result.stdout).toMatch(message);
    expect(result.stdout).toContain('No load was sent.');
    expect((await ssm.send(new ListCommandsCommand({}))).Commands ?? []).toEqual([]);
  },
);
