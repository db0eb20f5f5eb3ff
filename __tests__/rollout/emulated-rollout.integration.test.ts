/**
 * The action's real entrypoint (`node dist/index.js`, as the runner starts it) against the
 * emulated region: moto plus the instance-refresh harness, reached through the real AWS SDK over
 * HTTP. The group, launch template and target group are seeded through the SDK as Terraform would.
 */
import { DescribeInstanceRefreshesCommand, StartInstanceRefreshCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DEPLOYED_COMMIT, PAGE_BEHIND_REDIRECT } from '../../emulation/healthServer';
import { useRolloutRig } from '../support/rolloutRig';

/** The log group a failed rollout's app log excerpt is printed in. */
const APP_LOG_GROUP = 'Rollout: app log of the failing instances';

/** The action's rollout clock runs on the region's time: default budgets (30 min, 5 s polls) apply. */
const rig = useRolloutRig({ 'instance-warmup': '30' });
const { rollout } = rig;

async function groupVersions(): Promise<{ group: string | undefined; instances: (string | undefined)[] }> {
  const group = await rig.group();
  return {
    group: group.LaunchTemplate?.Version,
    instances: (group.Instances ?? [])
      .filter((instance) => instance.LifecycleState === 'InService')
      .map((instance) => instance.LaunchTemplate?.Version),
  };
}

async function addLaunchTemplateVersion(): Promise<number> {
  const ec2 = new EC2Client(rig.region.clientConfig);
  const created = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: rig.stack.launchTemplateId,
      SourceVersion: String(rig.stack.versions[1]),
      LaunchTemplateData: { InstanceType: 't3.small' },
    }),
  );
  return created.LaunchTemplateVersion!.VersionNumber!;
}

describe('rollout against the emulated region', () => {
  it('rolls a good release onto every instance, waits for healthy targets and passes the smoke check', async () => {
    const run = await rollout({ 'expected-commit': DEPLOYED_COMMIT });

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      'refresh-status': 'Successful',
      'healthy-targets': '2',
      'launch-template-version': String(rig.stack.versions[1]),
    });
    expect(run.outputs['refresh-id']).toMatch(/\S/);
    expect(Number(run.outputs['rollout-seconds'])).toBeGreaterThanOrEqual(0);
    expect(run.stdout).toMatch(/started refresh \S+: lt-\w+ version 1 -> lt-\w+ version 2, healthy 100-200%/);
    expect(run.stdout).toMatch(/refresh \S+ InProgress: \d+% complete/);
    // While the refresh runs, only its own state is asked for: a new target's state reaches the
    // log through the refresh's reason, and every target's through the verdict's read.
    // AWS's StatusReason wording, as the region words it (names an instance without `i-`).
    expect(run.stdout).toMatch(/refresh \S+ InProgress: .*For example: [0-9a-f]+ is initial\./);
    expect(run.stdout).toMatch(/target i-\w+:80: healthy/);
    expect(run.stdout).toContain('(need 2 healthy instances on the new version, have 2)');
    expect(run.stdout).toContain(`GET ${rig.health.url}/health/ -> HTTP 200`);
    expect(run.stdout).toContain(`6 answers in a row report commit ${DEPLOYED_COMMIT}`);
    expect(run.stdout).toContain(`GET ${rig.health.url}/ -> HTTP 200`);
    expect(run.summary).toContain(`6 answers in a row from commit \`${DEPLOYED_COMMIT}\``);
    expect(run.summary).toContain('| Healthy targets | 2 (desired 2) |');
    expect(rig.health.requests).toContain('/health/');
    expect(await groupVersions()).toEqual({ group: '2', instances: ['2', '2'] });
  });

  it('skips the refresh when the group already runs the version, and still checks health', async () => {
    const first = await rollout();
    expect(first.exitCode).toBe(0);

    const second = await rollout();
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      'refresh-status': 'NotNeeded',
      'refresh-id': '',
      'healthy-targets': '2',
    });
    expect(second.stdout).toMatch(
      /every instance already runs launch template lt-\w+ version 2; no refresh needed/,
    );
  });

  describe('a refresh already in progress', () => {
    /** A long warmup keeps the other refresh running while the action (slow to start on a loaded machine) comes up. */
    async function startOtherRefresh(warmupSeconds: number): Promise<string> {
      const started = await rig.autoScaling.send(
        new StartInstanceRefreshCommand({
          AutoScalingGroupName: rig.stack.asgName,
          DesiredConfiguration: {
            LaunchTemplate: {
              LaunchTemplateId: rig.stack.launchTemplateId,
              Version: String(rig.stack.versions[1]),
            },
          },
          Preferences: {
            MinHealthyPercentage: 100,
            MaxHealthyPercentage: 200,
            InstanceWarmup: warmupSeconds,
          },
        }),
      );
      return started.InstanceRefreshId!;
    }

    it('fail: refuses to start a second rollout and changes nothing', async () => {
      const newest = await addLaunchTemplateVersion();
      const other = await startOtherRefresh(2400);

      const run = await rollout({ 'on-refresh-in-progress': 'fail' });

      expect(run.exitCode).toBe(1);
      expect(run.outputs['failure-reason']).toBe('refresh-in-progress');
      expect(run.stdout).toContain(`Instance refresh ${other} is already`);
      const refreshes = await rig.autoScaling.send(
        new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: rig.stack.asgName }),
      );
      expect(refreshes.InstanceRefreshes?.map((refresh) => refresh.InstanceRefreshId)).toEqual([other]);
      expect(newest).toBeGreaterThan(rig.stack.versions[1]);
    });

    it('wait: lets the running refresh finish, then rolls to the newest version', async () => {
      const newest = await addLaunchTemplateVersion();
      const other = await startOtherRefresh(2400);

      // Its 40 simulated minutes of warmup, then ours: more than the default 30 minutes.
      const run = await rollout({ 'on-refresh-in-progress': 'wait', 'wait-timeout-minutes': '75' });

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
      const other = await startOtherRefresh(2400);

      // AWS lets the replacement under way finish its warmup before the cancel completes.
      const run = await rollout({ 'on-refresh-in-progress': 'cancel', 'wait-timeout-minutes': '75' });

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`asked AWS to cancel refresh ${other}`);
      expect(run.stdout).toContain(`earlier refresh ${other} ended Cancelled`);
      const refreshes = await rig.autoScaling.send(
        new DescribeInstanceRefreshesCommand({
          AutoScalingGroupName: rig.stack.asgName,
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
    // `initial` at the 10 min (6 s real) timeout however loaded the machine is, the refresh running.
    await rig.region.settings({ healthCheckSeconds: 6000 });

    const run = await rollout({ 'wait-timeout-minutes': '10', 'auto-rollback': 'false' });

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('timeout');
    expect(run.stdout).toContain('Timed out after 10m00s waiting for instance refresh');
    expect(run.stdout).toMatch(
      /Targets of demo-web-asg not healthy \(\d+ of \d+\):\n\s+i-\w+:80 initial Elb\.RegistrationInProgress/,
    );
    expect(run.stdout).toMatch(
      /Refresh \S+ last status: InProgress: Waiting for new instances to pass their health checks/,
    );
    expect(run.stdout).toMatch(/started a rollback of refresh \S+ to version 1/);
    // The final verdict: the job waits (bounded, said first) for the rollback, and reports the group.
    expect(run.stdout).toMatch(/final verdict: (waiting up to 15m00s|refresh \S+ ended RollbackSuccessful)/);
    expect(run.stdout).toMatch(
      /final verdict: refresh \S+ (ended|is still) Rollback\w+.*; group demo-web-asg: \d+ InService/,
    );
    expect(['RollbackInProgress', 'RollbackSuccessful']).toContain(run.outputs['refresh-status']);
    expect(run.summary).toContain('Final state: refresh');
    expect(run.stdout).toContain(APP_LOG_GROUP);
    const refreshes = await rig.autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: rig.stack.asgName }),
    );
    expect(['RollbackInProgress', 'RollbackSuccessful']).toContain(refreshes.InstanceRefreshes?.[0]?.Status);
  });

  it('fails the smoke check with the last answer when the app URL does not answer 200', async () => {
    rig.health.setStatus(503);

    // The default 30 min (18 s real): room for the refresh and target health, then the smoke check's turn.
    const run = await rollout();

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('smoke-failed');
    expect(run.stdout).toContain(`GET ${rig.health.url}/health/ -> HTTP 503`);
    expect(run.stdout).toContain(APP_LOG_GROUP);
    expect(await groupVersions()).toEqual({ group: '2', instances: ['2', '2'] });
  });

  describe('the page check after the refresh', () => {
    it('follows a redirect that stays on the site, and passes', async () => {
      rig.health.setPageRedirect(PAGE_BEHIND_REDIRECT);

      const run = await rollout();

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`GET ${rig.health.url}/ -> HTTP 301 -> ${PAGE_BEHIND_REDIRECT}`);
      expect(run.stdout).toContain(`GET ${rig.health.url}${PAGE_BEHIND_REDIRECT} -> HTTP 200`);
      expect(run.outputs['release-live']).toBe('true');
    });

    it('fails a redirect off the site, with its own hint, and says the release is live', async () => {
      rig.health.setPageRedirect('http://elsewhere.example/');

      const run = await rollout();

      expect(run.exitCode).toBe(1);
      expect(run.outputs['failure-reason']).toBe('smoke-app-failed');
      expect(run.stdout).toContain(`${rig.health.url}/ answered 301 -> http://elsewhere.example/`);
      expect(run.stdout).toContain(`The check follows redirects only on ${rig.health.url}`);
      expect(run.stdout).not.toMatch(/HTTP URL redirected to HTTPS|SECURE_PROXY_SSL_HEADER/);
      expect(rig.health.requests).not.toContain('http://elsewhere.example/');
      expect(run.stdout).toMatch(
        /The release is live: every instance of demo-web-asg runs launch template lt-\w+ version 2/,
      );
      expect(run.outputs['release-live']).toBe('true');
      expect(run.summary).toContain('**live**');
      expect(run.summary).toContain('set rollback\\-on\\-check\\-failure: true');
      expect(await groupVersions()).toEqual({ group: '2', instances: ['2', '2'] });
    });

    it('with rollback-on-check-failure, refreshes back to the previous version and says the release is not live', async () => {
      rig.health.setPageStatus(500);

      const run = await rollout({ 'rollback-on-check-failure': 'true' });

      expect(run.exitCode).toBe(1);
      expect(run.outputs['failure-reason']).toBe('smoke-app-failed');
      expect(run.stdout).toMatch(/started refresh \S+ back to launch template lt-\w+ version 1/);
      expect(run.stdout).toMatch(
        /Rolled back: refresh \S+ put every instance of demo-web-asg back on version 1/,
      );
      expect(run.outputs['release-live']).toBe('false');
      expect(run.summary).toContain('not live: the group was rolled back');
      expect(await groupVersions()).toEqual({ group: '1', instances: ['1', '1'] });
    });
  });

  it('reports a missing group clearly and makes no change', async () => {
    const run = await rollout({ 'asg-name': 'no-such-group' });

    expect(run.exitCode).toBe(1);
    expect(run.outputs['failure-reason']).toBe('asg-not-found');
    expect(run.stdout).toContain(`Auto Scaling group "no-such-group" was not found in ${rig.region.region}`);
    // The catalogue shows the app log only for a rollout that ran and failed.
    expect(run.stdout).not.toContain(APP_LOG_GROUP);
  });
});
