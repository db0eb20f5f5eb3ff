/**
 * Rollouts measured on the emulated region's LIVE data plane, through the committed bundle
 * (`node dist/index.js`): every instance boots the launch template version's real user-data and
 * runs the real app image (built from app/ here, pushed to the local registry), the ALB's health
 * checks are real HTTP requests with the target group's settings, and the load balancer is an
 * haproxy on a loopback address that the ALB's DNS name resolves to (emulation/dns.cjs). The
 * action's smoke check and this suite's load both go through it.
 *
 * The stack has its database: RDS through the emulated API backed by a real PostgreSQL server on a
 * loopback address (TLS required, the master password in the emulated Secrets Manager), reached by
 * the instances' containers through a relay in their network namespace. Each deploy runs the
 * release's migrations once, through SSM Run Command on one instance's host (/etc/app/run-once, a
 * one-off container of the new image), and the load writes notes through the app's form as well
 * as reading.
 *
 * Time scale 5 (documented in emulation/README.md): health check intervals,
 * timeouts, warmup and the deregistration delay run 5x faster; thresholds are counted as set.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerRuntime, type ContainerRuntime } from '../../emulation/containerRuntime';
import {
  ANNOUNCE_RELEASE,
  buildAppRelease,
  FAILING_MIGRATION,
  HEALTH_ANSWERS_500,
  loginToRegistry,
  NOTE_AUTHOR_COLUMN,
  type AppRelease,
} from '../../emulation/appReleases';
import { migrationsLine, inServiceInstances } from '../../emulation/databaseDemo';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { copyStack, prepareEmulatedStack, terraformEnv, type EmulatedStack } from '../../emulation/stack';
import { startLoad, type LoadResult } from '../../emulation/loadGenerator';
import { liveActionEnv, liveDeployInputs } from '../../emulation/liveDeploy';
import { runAction, type ActionRun } from '../../emulation/runAction';

const TIME_SCALE = 5;

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: EmulatedStack;
let workDir: string;
let dockerConfig: string;
let releases: AppRelease[];
let tfEnv: Record<string, string>;
let autoScaling: AutoScalingClient;
let elbv2: ElasticLoadBalancingV2Client;
let outputs: Record<string, string> = {};
/** This suite's own copy of terraform/: the deploy suite beside it inits the bundled one. */
let stackDir: string;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workDir = mkdtempSync(join(tmpdir(), 'live-data-plane-'));
  dockerConfig = join(workDir, 'docker-config');
  loginToRegistry(runtime, dockerConfig);
  region = await startEmulatedRegion({
    timeScale: TIME_SCALE,
    dataPlane: { dockerHost: runtime.dockerHost, dockerConfig },
    database: true,
  });
  stack = await prepareEmulatedStack(region, { database: true });
  stackDir = copyStack(stack, join(workDir, 'terraform'));
  tfEnv = terraformEnv();
  autoScaling = new AutoScalingClient(region.clientConfig);
  elbv2 = new ElasticLoadBalancingV2Client(region.clientConfig);
  const repository = `${runtime.registry}/live/web-${randomBytes(4).toString('hex')}`;
  releases = [
    buildAppRelease(runtime, dockerConfig, repository, '1'),
    buildAppRelease(runtime, dockerConfig, repository, '2', [ANNOUNCE_RELEASE, ...NOTE_AUTHOR_COLUMN]),
    buildAppRelease(runtime, dockerConfig, repository, '3', [...NOTE_AUTHOR_COLUMN, HEALTH_ANSWERS_500]),
    buildAppRelease(runtime, dockerConfig, repository, '4', [...NOTE_AUTHOR_COLUMN, FAILING_MIGRATION]),
  ];
}, 600_000);

afterAll(async () => {
  await region.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

let runs = 0;

/** Deploys `image`; with LIVE_DATA_PLANE_LOG_DIR set, each run's log is kept there to read. */
async function deploy(image: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  const fleet = { region, runtime, stack, stackDir, dockerConfig, workDir };
  const run = await runAction(
    liveDeployInputs(fleet, image, { 'poll-interval-seconds': '0.5', 'wait-timeout-minutes': '6', ...extra }),
    liveActionEnv(fleet, tfEnv),
  );
  const logDir = process.env.LIVE_DATA_PLANE_LOG_DIR;
  if (logDir) writeFileSync(join(logDir, `deploy-${++runs}.log`), run.stdout);
  return run;
}

function expectSuccess(run: ActionRun): void {
  expect({ exitCode: run.exitCode, log: run.exitCode === 0 ? '' : run.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
}

async function loadBalancer(): Promise<{ address: string; host: string }> {
  const host = outputs['alb-dns-name'] ?? '';
  const address = (await region.dataPlane()).loadBalancers[host];
  if (!address) throw new Error(`the data plane runs no load balancer for ${host}`);
  return { address, host };
}

/** Runs `during` under bounded load through the load balancer; returns both results. */
async function underLoad<T>(during: () => Promise<T>): Promise<[T, LoadResult]> {
  const load = startLoad({
    ...(await loadBalancer()),
    concurrency: 3,
    maxRequests: 20_000,
    maxSeconds: 420,
    pauseMs: 20,
    writePath: '/notes/',
    writeEvery: 4,
  });
  try {
    return [await during(), await load.stop()];
  } finally {
    await load.stop();
  }
}

/** The stack's one Auto Scaling group (the action has no output naming it). */
async function theGroup() {
  const response = await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
  expect(response.AutoScalingGroups).toHaveLength(1);
  return response.AutoScalingGroups![0]!;
}

async function groupVersions(): Promise<string[]> {
  return ((await theGroup()).Instances ?? [])
    .filter((instance) => instance.LifecycleState === 'InService')
    .map((instance) => instance.LaunchTemplate?.Version ?? '?')
    .sort();
}

it('creates the stack with release 1: real instances boot, pass real checks, and answer through the load balancer', async () => {
  const run = await deploy(releases[0]!.image);
  expectSuccess(run);
  outputs = run.outputs;
  // The smoke check went to the ALB's DNS name, which only the data plane's haproxy answers.
  const smokeCheck = `GET http://${outputs['alb-dns-name']}/health/ -> HTTP 200`;
  expect(run.stdout).toContain(smokeCheck);
  // First deploy: the migration ran on an InService instance (whose container refused to start
  // until then: no deadlock), before the smoke check.
  expect(migrationsLine(run)).toMatch(/^migrations: .*web\.0001_initial.* in \d/);
  expect(run.stdout.indexOf('migrations: ')).toBeLessThan(run.stdout.indexOf(smokeCheck));
  const state = await region.dataPlane();
  const running = Object.values(state.instances).filter((instance) => !instance.stopped);
  expect(running).toHaveLength(2);
  for (const instance of running) {
    expect(instance.bootExitCode).toBe(0);
    // t3.small: 2 vCPUs at the documented 0.25 host CPU each.
    expect(instance.cpus).toBe(0.5);
    // The secret came from the emulated SSM through the real AWS CLI into the instance's own /etc.
    expect(readFileSync(join(instance.directory, 'etc-upper/app/app.env'), 'utf8')).toMatch(
      /^DJANGO_SECRET_KEY=.{20,}$/m,
    );
  }
}, 600_000);

it('rolls out release 2 with every answer from release 1 or 2 and none failing', async () => {
  const [run, load] = await underLoad(() => deploy(releases[1]!.image));
  expectSuccess(run);
  expect(run.outputs['refresh-status']).toBe('Successful');
  expect(migrationsLine(run)).toMatch(/^migrations: web\.0002_note_author in \d/);
  // Reads and writes through the load balancer while the schema changed and the fleet turned over.
  expect({ failed: load.failed, writesFailed: load.writesFailed, failures: load.failures }).toEqual({
    failed: 0,
    writesFailed: 0,
    failures: [],
  });
  expect(load.writes).toBeGreaterThan(0);
  // Answers from both releases: the load spanned the switch (how many requests a busy machine
  // sends meanwhile is bench/zero-downtime.ts's figure).
  expect(Object.keys(load.byVersion).sort()).toEqual(['1', '2']);
  expect(await groupVersions()).toEqual(['2', '2']);
}, 600_000);

it('catches a broken image with real health checks: AWS rolls back to release 2, the log shows the codes and the app log', async () => {
  // preflight: false: the broken release must reach the fleet, where AWS's rollback is under test.
  const [run, load] = await underLoad(() => deploy(releases[2]!.image, { preflight: 'false' }));
  expect(run.exitCode).toBe(1);
  expect(run.outputs['failure-reason']).toBe('rolled-back');
  // The reason code the rollout last read before AWS took the instance out: during the grace period
  // it reads targets rarely, so a container still booting at that read shows FailedHealthChecks
  // (connection failed) although it answered 500 afterwards; the app log below shows the 500s.
  expect(run.stdout).toMatch(
    /target i-\w+:\d+: unhealthy \(Target\.(ResponseCodeMismatch|FailedHealthChecks)\)/,
  );
  expect(run.stdout).toMatch(
    /Fast verdict: 2 instances of launch template \S+ version 3 failed their health checks/,
  );
  // The failing instance's own log lines, read back from CloudWatch Logs.
  expect(run.stdout).toContain('Rollout: app log of the failing instances');
  expect(run.stdout).toMatch(/ {2}i-\w+ \| .*\/health\/.*500/);
  expect(run.stdout).not.toMatch(/DJANGO_SECRET_KEY=\S{20,}/);
  // Users never saw release 3: launch before terminate kept release 2 serving.
  expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
  expect(Object.keys(load.byVersion)).toEqual(['2']);
  expect(await groupVersions()).toEqual(['2', '2']);
}, 600_000);

it('stops at a failing migration before any instance is replaced, with its output; release 2 keeps serving', async () => {
  const before = await inServiceInstances(region);
  const refreshes = async () =>
    (
      await autoScaling.send(
        new DescribeInstanceRefreshesCommand({
          AutoScalingGroupName: (await theGroup()).AutoScalingGroupName,
        }),
      )
    ).InstanceRefreshes?.length;
  const refreshesBefore = await refreshes();
  const [run, load] = await underLoad(() => deploy(releases[3]!.image));
  expect(run.exitCode).toBe(1);
  expect(run.outputs['failure-reason']).toBe('migration-failed');
  // The migration's own output, from the one-off container on the instance's host.
  expect(run.stdout).toContain('division by zero');
  expect(await refreshes()).toBe(refreshesBefore);
  expect(await inServiceInstances(region)).toEqual(before);
  expect({ failed: load.failed, writesFailed: load.writesFailed }).toEqual({ failed: 0, writesFailed: 0 });
  expect(Object.keys(load.byVersion)).toEqual(['2']);
}, 600_000);

it('catches a user-data bug (the container published on the wrong port) and rolls back', async () => {
  // The stack as a user might break it: the same state, user-data publishing port 8080 for 80.
  const broken = copyStack(stack, join(workDir, 'terraform-wrong-port'));
  const userData = join(broken, 'modules', 'web-tier', 'user_data.sh.tftpl');
  // The host port comes from container.json; the bug is the template's own publish line.
  const template = readFileSync(userData, 'utf8');
  const wrongPort = template.replace('--publish ${container.host_port}:', '--publish 8080:');
  expect(wrongPort).not.toBe(template);
  writeFileSync(userData, wrongPort);

  const [run, load] = await underLoad(() => deploy(releases[1]!.image, { 'working-directory': broken }));

  expect(run.exitCode).toBe(1);
  expect(run.outputs['failure-reason']).toBe('rolled-back');
  expect(run.stdout).toMatch(/target i-\w+:\d+: unhealthy \(Target\.FailedHealthChecks\)/);
  expect(await groupVersions()).toEqual(['2', '2']);
  expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
}, 600_000);

it('drains an instance on scale-in before its container stops, with no failed request', async () => {
  const group = await theGroup();
  const asgName = group.AutoScalingGroupName!;
  const targetGroupArn = group.TargetGroupARNs![0]!;
  // From a settled fleet: the previous test's rollback may still drain the instances it replaced
  // (the action reports the rollback's end, AWS then drains), and the target under test is ours.
  const settled = Date.now() + 120_000;
  while (Date.now() < settled) {
    const targets = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    if (!targets.TargetHealthDescriptions?.some((target) => target.TargetHealth?.State === 'draining')) break;
    await new Promise((wait) => setTimeout(wait, 500));
  }
  const before = Object.values((await region.dataPlane()).instances).filter((instance) => !instance.stopped);
  const [, load] = await underLoad(async () => {
    await autoScaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: asgName, DesiredCapacity: 1 }),
    );
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const draining = health.TargetHealthDescriptions?.find(
      (target) => target.TargetHealth?.State === 'draining',
    );
    expect(draining?.TargetHealth?.Reason).toBe('Target.DeregistrationInProgress');
    const leaving = before.find((instance) => instance.instanceId === draining?.Target?.Id);
    // Draining: the container still runs (finishing requests in flight), it only gets no new ones.
    const docker = (args: string[]) =>
      execFileSync('docker', args, {
        env: { ...process.env, DOCKER_HOST: runtime.dockerHost },
        encoding: 'utf8',
      }).trim();
    expect(docker(['inspect', '--format', '{{.State.Running}}', leaving?.containerName ?? ''])).toBe('true');
    // The deregistration delay (30 s at time scale 5: 6 s), then docker stop.
    const deadline = Date.now() + 60_000;
    while (
      !(await region.dataPlane()).instances[leaving?.instanceId ?? '']?.stopped &&
      Date.now() < deadline
    ) {
      await new Promise((wait) => setTimeout(wait, 250));
    }
    const events = (await region.dataPlane()).instances[leaving?.instanceId ?? '']?.events ?? [];
    const at = (event: string) => events.find((entry) => entry.event.startsWith(event))?.at ?? NaN;
    expect(at('docker stop') - at('terminating: draining')).toBeGreaterThanOrEqual(30 / TIME_SCALE - 0.5);
    expect(at('stopped')).toBeGreaterThan(at('docker stop'));
  });
  expect({ failed: load.failed, failures: load.failures }).toEqual({ failed: 0, failures: [] });
  // Answered by release 2, the one both instances ran (the request count is bench/zero-downtime.ts's).
  expect(Object.keys(load.byVersion)).toEqual(['2']);
}, 300_000);
