/**
 * `command: scale-test` on the emulated region's LIVE data plane, through `node dist/index.js`:
 * the bundled stack is applied for real (its target tracking policy gets the alarms AWS would
 * create), its instances boot the real user-data and run the real app image with the instance
 * type's CPU cap, the burn runs inside them through Run Command, their CPU comes from their
 * cgroups, and the instances the scale-out launches boot for real and must pass real HTTP health
 * checks before the test succeeds. The scale test reads the group, target group and policy from
 * the stack's Terraform outputs, as the reusable workflow runs it.
 */
import { GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerRuntime, type ContainerRuntime } from '../../emulation/containerRuntime';
import { buildAppRelease, loginToRegistry, releaseRegistryInputs } from '../../emulation/appReleases';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import {
  copyStack,
  emulatedStackInputs,
  prepareEmulatedStack,
  type EmulatedStack,
} from '../../emulation/stack';
import { liveActionEnv } from '../../emulation/liveDeploy';
import { runAction } from '../../emulation/runAction';

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: EmulatedStack;
let workDir: string;
let dockerConfig: string;
let image: string;
/** This suite's own copy of terraform/: other suites init the bundled one beside it. */
let stackDir: string;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workDir = mkdtempSync(join(tmpdir(), 'live-scale-test-'));
  dockerConfig = join(workDir, 'docker-config');
  loginToRegistry(runtime, dockerConfig);
  region = await startEmulatedRegion({
    timeScale: 5,
    dataPlane: { dockerHost: runtime.dockerHost, dockerConfig },
  });
  stack = await prepareEmulatedStack(region);
  stackDir = copyStack(stack, join(workDir, 'terraform'));
  const repository = `${runtime.registry}/scaletest/web-${randomBytes(4).toString('hex')}`;
  image = buildAppRelease(runtime, dockerConfig, repository, '1').image;
}, 600_000);

afterAll(async () => {
  await region.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function inputs(extra: Record<string, string>): Record<string, string> {
  const base = emulatedStackInputs(stack, region);
  return {
    ...base,
    // A low target so a burn capped at the instance's 0.5 CPU crosses it on a busy 2-core
    // machine; max 3 bounds the scale-out to one or two more real instances.
    'terraform-vars': `${base['terraform-vars']}\napp_environment={WEB_CONCURRENCY="2"}\ncpu_target=20\nmax_size=3`,
    'poll-interval-seconds': '1',
    'comment-on-pr': 'false',
    'working-directory': stackDir,
    ...extra,
  };
}

function env(): Record<string, string> {
  return liveActionEnv({ region, runtime, stack, stackDir, dockerConfig, workDir });
}

it('scales out for real: the alarm fires on real CPU, new instances boot, pass real checks and serve', async () => {
  const deploy = await runAction(
    inputs({
      command: 'deploy',
      image,
      ...releaseRegistryInputs(runtime, image),
      'instance-warmup': '30',
      'wait-timeout-minutes': '6',
    }),
    env(),
  );
  expect({ exitCode: deploy.exitCode, log: deploy.exitCode === 0 ? '' : deploy.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
  const before = Object.keys((await region.dataPlane()).instances);

  // On the region's clock (time scale 5): 40 simulated minutes are 8 real ones, a sample every
  // simulated 5 s; the burn inside the instances runs on their own real clock until cancelled.
  const run = await runAction(
    inputs({
      command: 'scale-test',
      'stress-duration-seconds': '2100',
      'scale-test-timeout-minutes': '40',
      'poll-interval-seconds': '5',
    }),
    { ...env(), ...region.actionClockEnv() },
  );
  expect({ exitCode: run.exitCode, log: run.exitCode === 0 ? '' : run.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
  const logDir = process.env.LIVE_DATA_PLANE_LOG_DIR;
  if (logDir) writeFileSync(join(logDir, 'scale-test.log'), `${run.stdout}\n${run.summary}`);
  expect(run.stdout).toMatch(/policy \S+-cpu-target targets 20% CPU/);
  expect(Number(run.outputs['capacity-after'])).toBeGreaterThan(Number(run.outputs['capacity-before']));

  // The instances the log says serve are real data-plane instances that booted cleanly.
  const serving = /new capacity serves: (i-[\w, -]+) healthy/.exec(run.stdout)?.[1]?.split(', ') ?? [];
  expect(serving.length).toBeGreaterThan(0);
  const plane = await region.dataPlane();
  for (const instanceId of serving) {
    expect(before).not.toContain(instanceId);
    expect(plane.instances[instanceId]?.bootExitCode).toBe(0);
  }

  const ssm = new SSMClient(region.clientConfig);
  const commandId = run.outputs['stress-command-id']!;
  for (const instanceId of before) {
    const invocation = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    expect(['Cancelled', 'Cancelling']).toContain(invocation.Status);
  }
}, 900_000);
