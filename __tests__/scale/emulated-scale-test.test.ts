/**
 * `command: scale-test` through the action's real entrypoint (`node dist/index.js`) against the
 * emulated region: real CPU load through SSM Run Command inside real containers (each seeded
 * instance's OS is a container of the machine's podman, attached to it), CPU measured from their
 * cgroups, target tracking alarms and scaling by the harness. The instances the scale-out
 * launches get their health from the harness's timed target health (the live data plane boots
 * them for real; see live-scale-test.test.ts when it is available).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-auto-scaling';
import { GetCommandInvocationCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startContainerRuntime, type ContainerRuntime } from '../image/containerRuntime';
import { startEmulatedRegion, type EmulatedRegion } from '../support/emulatedRegion';
import { runAction } from '../support/runAction';
import { seedRegion, type SeededStack } from '../support/seedRegion';

const run = promisify(execFile);
jest.setTimeout(300_000);

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: SeededStack;
let autoScaling: AutoScalingClient;
let ssm: SSMClient;
const containers: string[] = [];

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, {
    env: { ...process.env, DOCKER_HOST: runtime.dockerHost },
    timeout: 120_000,
  });
  return stdout.trim();
}

async function harness<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${region.endpoint}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Gives every InService instance an OS: a container with the given CPU options. */
async function bootInstances(cpuOptions: string[]): Promise<string[]> {
  const group = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }),
  );
  const ids = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((instance) => instance.InstanceId!);
  for (const instanceId of ids) {
    const name = `scaletest-${randomBytes(4).toString('hex')}`;
    await docker('run', '-d', '--name', name, ...cpuOptions, runtime.baseImage, 'sleep', '900');
    containers.push(name);
    await harness('/_harness/instance-host', { instanceId, container: name });
  }
  return ids;
}

async function putCpuPolicy(targetValue: number): Promise<void> {
  await autoScaling.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: stack.asgName,
      PolicyName: `${stack.asgName}-cpu-target`,
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 0,
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        TargetValue: targetValue,
      },
    }),
  );
}

function scaleTestInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    command: 'scale-test',
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'asg-name': stack.asgName,
    'stress-duration-seconds': '90',
    'scale-test-timeout-minutes': '1.5',
    'poll-interval-seconds': '1',
    ...extra,
  };
}

async function burnProcessesLeft(): Promise<number[]> {
  return (await harness<{ runCommandPids: number[] }>('/_harness/run-command-processes')).runCommandPids;
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
  runtime = await startContainerRuntime();
  // The region runs `docker exec` into the instances' containers: same runtime as this test.
  process.env.DOCKER_HOST = runtime.dockerHost;
  region = await startEmulatedRegion();
  autoScaling = new AutoScalingClient(region.clientConfig);
  ssm = new SSMClient(region.clientConfig);
});

afterAll(async () => {
  await region.stop();
  if (containers.length > 0) await docker('rm', '-f', ...containers);
});

beforeEach(async () => {
  await region.reset();
  stack = await seedRegion(region, { desiredCapacity: 2 });
});

it('loads the fleet, sees the alarm fire and the group scale out, and stops the load once the new capacity serves', async () => {
  // Two busy loops (nproc 2 x 1 per vCPU) against a 0.5 CPU cap: the whole quota of each instance.
  const instanceIds = await bootInstances(['--cpus', '0.5']);
  await putCpuPolicy(40);
  const result = await runAction(scaleTestInputs());

  expect(result.stdout).toMatch(/sent AWS-RunShellScript command [0-9a-f-]{36} to i-/);
  expect(result.stdout).toMatch(/alarm TargetTracking-demo-web-asg-AlarmHigh-[0-9a-f-]+: ALARM/);
  expect(result.stdout).toMatch(/scaling activity Successful: Launching \d EC2 instance\(s\)/);
  expect(result.stdout).toMatch(/new capacity serves: i-/);
  expect(result.stdout).toMatch(/load stopped \(the new capacity serves\): cancelled command/);
  expect(result.exitCode).toBe(0);
  const { outputs } = result;
  expect(Number(outputs['capacity-before'])).toBe(2);
  expect(Number(outputs['capacity-after'])).toBeGreaterThan(2);
  expect(Number(outputs['peak-cpu'])).toBeGreaterThan(40);
  const alarm = Number(outputs['time-to-alarm-seconds']);
  const decision = Number(outputs['time-to-scale-out-seconds']);
  const serving = Number(outputs['time-to-serving-seconds']);
  expect(alarm).toBeLessThanOrEqual(decision);
  expect(decision).toBeLessThanOrEqual(serving);
  expect(result.summary).toContain('### Scale test');
  expect(result.summary).toMatch(/```text\n\[ +0s\] load sent to 2 instances, capacity 2\n/);

  const statuses = await invocationStatuses(outputs['stress-command-id']!, instanceIds);
  expect(statuses.every((status) => ['Cancelled', 'Cancelling'].includes(status))).toBe(true);
  expect(await burnProcessesLeft()).toEqual([]);
});

it('fails naming the peak CPU against the target when the load is too weak to fire the alarm', async () => {
  // One busy loop (the container sees one CPU) against a 2 CPU quota: at most 50% of it.
  const instanceIds = await bootInstances(['--cpus', '2', '--cpuset-cpus', '0']);
  await putCpuPolicy(70);
  const result = await runAction(
    scaleTestInputs({ 'stress-duration-seconds': '30', 'scale-test-timeout-minutes': '0.6' }),
  );

  expect(result.exitCode).toBe(1);
  expect(result.outputs['failure-reason']).toBe('alarm-not-fired');
  const peak = /never fired in \S+: peak group CPU (\d+\.\d)%, target 70%/.exec(result.stdout);
  expect(peak).not.toBeNull();
  expect(Number(peak![1])).toBeLessThan(70);
  expect(result.stdout).toContain('raise stress-workers-per-vcpu');
  expect(result.outputs['peak-cpu']).toBe(peak![1]);
  expect(result.outputs['time-to-alarm-seconds']).toBe('');
  expect(result.stdout).toMatch(/load stopped \(the test failed\)/);
  const statuses = await invocationStatuses(result.outputs['stress-command-id']!, instanceIds);
  expect(statuses.every((status) => ['Cancelled', 'Cancelling', 'Success'].includes(status))).toBe(true);
  expect(await burnProcessesLeft()).toEqual([]);
});

it('refuses a group already at its max capacity before sending any command', async () => {
  stack = await seedRegion(region, { name: 'full', desiredCapacity: 5 });
  await putCpuPolicy(70);
  const result = await runAction(scaleTestInputs());

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
  ['stress-duration-seconds', '900', /must not outlast scale-test-timeout-minutes \(1\.5 min = 90 s\)/],
])('rejects %s=%s before anything is sent', async (name, value, message) => {
  await putCpuPolicy(70);
  const result = await runAction(scaleTestInputs({ [name]: value }));
  expect(result.exitCode).toBe(1);
  expect(result.outputs['failure-reason']).toBe('invalid-input');
  expect(result.stdout).toMatch(message);
  expect(result.stdout).not.toMatch(/\n\s+at .*\.js:\d+/);
  expect((await ssm.send(new ListCommandsCommand({}))).Commands ?? []).toEqual([]);
});
