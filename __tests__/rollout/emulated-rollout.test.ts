/**
 * The action's real entrypoint (`node dist/index.js`, as the runner starts it) against the
 * emulated region: moto plus the instance-refresh harness, reached through the real AWS SDK over
 * HTTP. The group, launch template and target group are seeded through the SDK as Terraform would.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startEmulatedRegion, type EmulatedRegion } from '../support/emulatedRegion';
import { startHealthServer } from '../support/healthServer';
import { runAction } from '../support/runAction';
import { seedRegion, type SeededStack } from '../support/seedRegion';

let region: EmulatedRegion;
let health: Awaited<ReturnType<typeof startHealthServer>>;
let stack: SeededStack;
let autoScaling: AutoScalingClient;

beforeAll(async () => {
  region = await startEmulatedRegion();
  health = await startHealthServer();
  autoScaling = new AutoScalingClient(region.clientConfig);
});

afterAll(async () => {
  await health.close();
  await region.stop();
});

beforeEach(async () => {
  await region.reset();
  health.setStatus(200);
  stack = await seedRegion(region, { healthCheckGracePeriod: 30 });
});

function rolloutInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    command: 'rollout',
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'asg-name': stack.asgName,
    'instance-warmup': '30',
    'poll-interval-seconds': '0.2',
    'wait-timeout-minutes': '2',
    'app-url': health.url,
    ...extra,
  };
}

async function groupVersions(): Promise<{ group: string | undefined; instances: (string | undefined)[] }> {
  const response = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }),
  );
  const group = response.AutoScalingGroups?.[0];
  return {
    group: group?.LaunchTemplate?.Version,
    instances: (group?.Instances ?? [])
      .filter((instance) => instance.LifecycleState === 'InService')
      .map((instance) => instance.LaunchTemplate?.Version),
  };
}

async function addLaunchTemplateVersion(): Promise<number> {
  const ec2 = new EC2Client(region.clientConfig);
  const created = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: stack.launchTemplateId,
      SourceVersion: String(stack.versions[1]),
      LaunchTemplateData: { InstanceType: 't3.small' },
    }),
  );
  return created.LaunchTemplateVersion!.VersionNumber!;
}

describe('rollout against the emulated region', () => {
  it('rolls a good release onto every instance, waits for healthy targets and passes the smoke check', async () => {
    const run = await runAction(rolloutInputs());

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'refresh-status': 'Successful',
      'healthy-targets': '2',
      'launch-template-version': String(stack.versions[1]),
    });
    expect(run.outputs['refresh-id']).toMatch(/\S/);
    expect(Number(run.outputs['rollout-seconds'])).toBeGreaterThanOrEqual(0);
    expect(run.stdout).toMatch(/started refresh \S+: version 1 -> 2, healthy 100-200%/);
    expect(run.stdout).toMatch(/refresh \S+ InProgress: \d+% complete/);
    expect(run.stdout).toMatch(/target i-\w+: initial \(Elb\.RegistrationInProgress\)/);
    expect(run.stdout).toContain('(need 2 healthy on the new version, have 2)');
    expect(run.stdout).toContain(`GET ${health.url}/health/ -> HTTP 200`);
    expect(run.summary).toContain('| Healthy targets | 2 (desired 2) |');
    expect(health.requests).toContain('/health/');
    expect(await groupVersions()).toEqual({ group: '2', instances: ['2', '2'] });
  });

  it('skips the refresh when the group already runs the version, and still checks health', async () => {
    const first = await runAction(rolloutInputs());
    expect(first.exitCode).toBe(0);

    const second = await runAction(rolloutInputs());
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      'refresh-status': 'NotNeeded',
      'refresh-id': '',
      'healthy-targets': '2',
    });
    expect(second.stdout).toContain('every instance already runs version 2; no refresh needed');
  });

  describe('a refresh already in progress', () => {
    async function startOtherRefresh(): Promise<string> {
      const started = await autoScaling.send(
        new StartInstanceRefreshCommand({
          AutoScalingGroupName: stack.asgName,
          DesiredConfiguration: {
            LaunchTemplate: { LaunchTemplateId: stack.launchTemplateId, Version: String(stack.versions[1]) },
          },
          Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200, InstanceWarmup: 30 },
        }),
      );
      return started.InstanceRefreshId!;
    }

    it('fail: refuses to start a second rollout and changes nothing', async () => {
      const newest = await addLaunchTemplateVersion();
      const other = await startOtherRefresh();

      const run = await runAction(rolloutInputs({ 'on-refresh-in-progress': 'fail' }));

      expect(run.exitCode).toBe(1);
      expect(run.outputs['failure-reason']).toBe('refresh-in-progress');
      expect(run.stdout).toContain(`Instance refresh ${other} is already`);
      const refreshes = await autoScaling.send(
        new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: stack.asgName }),
      );
      expect(refreshes.InstanceRefreshes?.map((refresh) => refresh.InstanceRefreshId)).toEqual([other]);
      expect(newest).toBeGreaterThan(stack.versions[1]);
    });

    it('wait: lets the running refresh finish, then rolls to the newest version', async () => {
      const newest = await addLaunchTemplateVersion();
      const other = await startOtherRefresh();

      const run = await runAction(rolloutInputs({ 'on-refresh-in-progress': 'wait' }));

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`earlier refresh ${other} ended Successful`);
      expect(run.outputs['launch-template-version']).toBe(String(newest));
      expect(await groupVersions()).toEqual({
        group: String(newest),
        instances: [String(newest), String(newest)],
      });
    });

    it('cancel: cancels the running refresh, then rolls to the newest version', async () => {
      const newest = await addLaunchTemplateVersion();
      const other = await startOtherRefresh();

      const run = await runAction(rolloutInputs({ 'on-refresh-in-progress': 'cancel' }));

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`asked AWS to cancel refresh ${other}`);
      expect(run.stdout).toContain(`earlier refresh ${other} ended Cancelled`);
      const refreshes = await autoScaling.send(
        new DescribeInstanceRefreshesCommand({
          AutoScalingGroupName: stack.asgName,
          InstanceRefreshIds: [other],
        }),
      );
      expect(refreshes.InstanceRefreshes?.[0]?.Status).toBe('Cancelled');
      expect(await groupVersions()).toEqual({
        group: String(newest),
        instances: [String(newest), String(newest)],
      });
    });
  });

  it('times out with every unhealthy target explained, and rolls the refresh back', async () => {
    // Health checks that take 100 simulated minutes (a minute of real time): new targets are still
    // `initial` at the 6 s timeout however loaded the machine is, and the refresh still running.
    await region.settings({ healthCheckSeconds: 6000 });

    const run = await runAction(rolloutInputs({ 'wait-timeout-minutes': '0.1', 'auto-rollback': 'false' }));

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('timeout');
    expect(run.stdout).toContain('Timed out after 6s waiting for instance refresh');
    expect(run.stdout).toMatch(
      /Targets not healthy \(\d+ of \d+\):\n\s+i-\w+:80 initial Elb\.RegistrationInProgress/,
    );
    expect(run.stdout).toMatch(/started a rollback of refresh \S+ to version 1/);
    const refreshes = await autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: stack.asgName }),
    );
    expect(['RollbackInProgress', 'RollbackSuccessful']).toContain(refreshes.InstanceRefreshes?.[0]?.Status);
  });

  it('fails the smoke check with the last answer when the app URL does not answer 200', async () => {
    health.setStatus(503);

    // 15 s: room for the refresh and target health on a loaded machine, then the smoke check's turn.
    const run = await runAction(rolloutInputs({ 'wait-timeout-minutes': '0.25' }));

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('smoke-failed');
    expect(run.stdout).toContain(`GET ${health.url}/health/ -> HTTP 503`);
    expect(await groupVersions()).toEqual({ group: '2', instances: ['2', '2'] });
  });

  it('reports a missing group clearly and makes no change', async () => {
    const run = await runAction(rolloutInputs({ 'asg-name': 'no-such-group' }));

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('asg-not-found');
    expect(run.stdout).toContain(`Auto Scaling group "no-such-group" was not found in ${region.region}`);
  });
});
