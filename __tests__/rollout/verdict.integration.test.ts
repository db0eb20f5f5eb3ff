/**
 * Issue 9, "a rollout verdict you can trust", through the action's bundle (`node dist/index.js`)
 * against the emulated region, whose clock the action's rollout clock follows
 * (`region.actionClockEnv()`): a 30 minute budget is 30 simulated minutes, as against AWS, so a
 * budget that cannot hold fails here too. Cases the region cannot produce are in
 * verdict-mocked.test.ts.
 */
import {
  CancelInstanceRefreshCommand,
  EnterStandbyCommand,
  RollbackInstanceRefreshCommand,
  SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEPLOYED_COMMIT } from '../../emulation/healthServer';
import type { ActionRun } from '../../emulation/runAction';
import type { FailureReason } from '../../src/failures';
import { useRolloutRig } from '../support/rolloutRig';

const OLD_COMMIT = '0123456789abcdef0123456789abcdef01234567';

const rig = useRolloutRig({ 'instance-warmup': '30', 'expected-commit': DEPLOYED_COMMIT });
const { rollout, group, refreshes } = rig;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;

beforeAll(() => {
  ec2 = new EC2Client(rig.region.clientConfig);
  elbv2 = new ElasticLoadBalancingV2Client(rig.region.clientConfig);
});

/** The group already runs version 1: no refresh, straight to target health and the smoke check. */
const ON_CURRENT_VERSION = { 'launch-template-version': '1' };

/** In-service instances: replaced ones stay listed as Terminating while their targets drain. */
async function inService() {
  return ((await group()).Instances ?? []).filter((instance) => instance.LifecycleState === 'InService');
}

async function instanceIds(): Promise<string[]> {
  return (await inService()).map((instance) => instance.InstanceId!).sort();
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectExplainedFailure(run: ActionRun, reason: FailureReason): void {
  expect({ exitCode: run.exitCode, reason: run.outputs['failure-reason'] }).toEqual({ exitCode: 1, reason });
}

describe('item 1: only the group’s own instances decide', () => {
  it('rolls a good release although a hand-registered host in the target group is unhealthy', async () => {
    const subnetId = (await group()).VPCZoneIdentifier!.split(',')[0]!;
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0123456789abcdef0',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
      }),
    );
    const stranger = launched.Instances![0]!.InstanceId!;
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: rig.stack.targetGroupArn, Targets: [{ Id: stranger }] }),
    );
    await rig.region.markUnhealthyInstance(stranger, 'Target.Timeout');

    const run = await rollout();

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ 'refresh-status': 'Successful', 'healthy-targets': '2' });
    const ignored = run.stdout.match(
      new RegExp(`target ${stranger}: not an instance of ${rig.stack.asgName}, ignored`, 'g'),
    );
    expect(ignored).toHaveLength(1);
    expect(run.stdout).toContain('1 not in the group, ignored');
  });

  it('does not count an instance of ours in an Availability Zone the load balancer does not serve', async () => {
    const vpcId = (
      await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [rig.stack.targetGroupArn] }))
    ).TargetGroups![0]!.VpcId!;
    const zoneC = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.20.5.0/24',
        AvailabilityZone: `${rig.region.region}c`,
      }),
    );
    await rig.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: rig.stack.asgName,
        VPCZoneIdentifier: zoneC.Subnet!.SubnetId!,
      }),
    );
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [zoneC.Subnet!.SubnetId!] }));
    expect(subnets.Subnets![0]!.AvailabilityZone).toBe(`${rig.region.region}c`);

    const run = await rollout({ 'wait-timeout-minutes': '15' });

    expectExplainedFailure(run, 'timeout');
    expect(run.stdout).toMatch(
      /i-\w+:80 unused Target\.NotInUse: Target is in an Availability Zone that is not enabled for the load balancer -> the target's Availability Zone is not enabled on the load balancer/,
    );
    expect(run.stdout).not.toContain('rollout done');
  });
});

describe('item 2: time budgets AWS enforces', () => {
  it('refuses checkpoints whose default 3600 s delay cannot fit the wait, before any AWS call', async () => {
    const run = await rollout({ 'checkpoint-percentages': '50,100' });

    expectExplainedFailure(run, 'invalid-input');
    expect(run.stdout).toContain(
      'wait-timeout-minutes: "30"; checkpoint-percentages 50,100 pause the refresh',
    );
    expect(await refreshes()).toEqual([]);
  });

  it('replaces scale-in protected instances by default, says so first, and sets both preferences explicitly', async () => {
    const [protectedId] = await instanceIds();
    await rig.autoScaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: rig.stack.asgName,
        InstanceIds: [protectedId!],
        ProtectedFromScaleIn: true,
      }),
    );

    const run = await rollout();

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      `1 instance is scale-in protected (${protectedId}); scale-in-protected-instances: Refresh, so the refresh replaces them like the others`,
    );
    expect(run.stdout.indexOf('scale-in protected')).toBeLessThan(run.stdout.indexOf('started refresh'));
    expect((await refreshes())[0]?.Preferences).toMatchObject({
      ScaleInProtectedInstances: 'Refresh',
      StandbyInstances: 'Ignore',
    });
    expect(await instanceIds()).not.toContain(protectedId);
  });

  it('scale-in-protected-instances: Wait runs out the 30 simulated minutes first, printing AWS’s last reason', async () => {
    const [protectedId] = await instanceIds();
    await rig.autoScaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: rig.stack.asgName,
        InstanceIds: [protectedId!],
        ProtectedFromScaleIn: true,
      }),
    );

    const run = await rollout({ 'scale-in-protected-instances': 'Wait' });

    expectExplainedFailure(run, 'timeout');
    expect(run.stdout).toContain('AWS waits up to 60 min for them, then fails the refresh');
    expect(run.stdout).toContain('Timed out after 30m00s');
    expect(run.stdout).toMatch(/last status: InProgress: Waiting for scale-in protection to be removed/);
    // The protected instance still runs the old release: the group is not on the new version.
    expect(run.stdout).toMatch(/started a rollback of refresh \S+ to version 1/);
  });

  it('scale-in-protected-instances: Wait fails after AWS’s hour, which a 180 minute budget outlasts', async () => {
    // 1000x: AWS's hour is 3.6 s of real time and this budget 10.8 s, so the action's own start-up
    // on a loaded machine (real seconds, scaled like every clock) cannot use up the margin.
    await rig.region.settings({ timeScale: 1000 });
    const [protectedId] = await instanceIds();
    await rig.autoScaling.send(
      new SetInstanceProtectionCommand({
        AutoScalingGroupName: rig.stack.asgName,
        InstanceIds: [protectedId!],
        ProtectedFromScaleIn: true,
      }),
    );

    const run = await rollout({
      'scale-in-protected-instances': 'Wait',
      'wait-timeout-minutes': '180',
      'auto-rollback': 'false',
    });

    expectExplainedFailure(run, 'refresh-failed');
    expect(run.stdout).toContain('Instance refresh failed: waited 3600 seconds');
    expect(run.stdout).toContain(protectedId);
    // item 4: a wait longer than an OIDC session is warned about up front.
    expect(run.stdout).toContain(
      'wait-timeout-minutes is 180, longer than the 1 h GitHub OIDC role sessions',
    );
  });
});

describe('item 3: never undo what the group shows healthy', () => {
  it('leaves a refresh alone when its wait for a Standby instance outlasts the budget but every instance is healthy', async () => {
    const [standbyId] = await instanceIds();
    await rig.autoScaling.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: rig.stack.asgName,
        InstanceIds: [standbyId!],
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    const run = await rollout({ 'standby-instances': 'Wait' });

    expectExplainedFailure(run, 'timeout');
    expect(run.stdout).toContain(`1 instance is in Standby (${standbyId}); standby-instances: Wait`);
    expect(run.stdout).toContain(
      'did not undo anything: the group’s own instances are healthy on the new version',
    );
    const [ours] = await refreshes();
    expect(refreshesStartedBy(run)).toEqual([ours?.InstanceRefreshId]);
    expect(ours?.Status).toBe('InProgress');
  });
});

function refreshesStartedBy(run: ActionRun): string[] {
  return [...run.stdout.matchAll(/started refresh (\S+):/g)].map((match) => match[1]!);
}

describe('item 5: the launch template id counts, not only the version number', () => {
  it('refreshes a group pointed at lt-new v1 whose instances were launched from lt-old v1', async () => {
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'demo-web-lt-new',
        LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' },
      }),
    );
    const newTemplate = created.LaunchTemplate!.LaunchTemplateId!;
    await rig.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: rig.stack.asgName,
        LaunchTemplate: { LaunchTemplateId: newTemplate, Version: '1' },
      }),
    );

    const run = await rollout({ 'launch-template-version': '1' });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['refresh-status']).toBe('Successful');
    expect(run.stdout).toContain(`(2x ${rig.stack.launchTemplateId} v1 InService)`);
    const templates = (await inService()).map((instance) => instance.LaunchTemplate?.LaunchTemplateId);
    expect(templates).toEqual([newTemplate, newTemplate]);
  });
});

describe('item 6: only Successful is success', () => {
  it('fails, naming the status, when someone cancels the refresh mid-way', async () => {
    await rig.region.settings({ healthCheckSeconds: 6000 });
    const running = rollout();
    await waitFor(async () => (await refreshes())[0]?.Status === 'InProgress', 'the refresh to start');
    await rig.autoScaling.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: rig.stack.asgName }));
    // AWS lets the replacements already under way finish before the refresh ends Cancelled.
    await rig.region.settings({ healthCheckSeconds: 60 });

    const run = await running;

    expectExplainedFailure(run, 'refresh-cancelled');
    expect(run.stdout).toMatch(/ended Cancelled: The instance refresh was cancelled/);
  });
});

describe('item 8: the smoke check proves the release', () => {
  it('fails when an old instance is still in rotation: one answer in three reports the old commit', async () => {
    rig.health.setCommits([DEPLOYED_COMMIT, DEPLOYED_COMMIT, OLD_COMMIT]);

    const run = await rollout(ON_CURRENT_VERSION);

    expectExplainedFailure(run, 'smoke-wrong-release');
    expect(run.stdout).toContain(
      `does not serve only the deployed commit ${DEPLOYED_COMMIT}: 2 answers gave`,
    );
    expect(run.stdout).toContain(`1x ${OLD_COMMIT} (version 1.0.0)`);
  });

  it('without a known commit, still requires every answer to agree on one', async () => {
    rig.health.setCommits([OLD_COMMIT, DEPLOYED_COMMIT]);

    const run = await rollout({ ...ON_CURRENT_VERSION, 'expected-commit': '' });

    expectExplainedFailure(run, 'smoke-wrong-release');
    expect(run.stdout).toContain('does not serve only one release');
  });

  it('fails a health answer that does not say which commit it runs', async () => {
    rig.health.setCommits([undefined]);

    const run = await rollout(ON_CURRENT_VERSION);

    expectExplainedFailure(run, 'smoke-no-commit');
    expect(run.stdout).toContain('answered 200 without the commit it was built from');
  });

  it('requests a real page with the public Host, and explains a 400 as ALLOWED_HOSTS', async () => {
    rig.health.setPageStatus(400);

    const run = await rollout(ON_CURRENT_VERSION);

    expectExplainedFailure(run, 'smoke-app-failed');
    const host = new URL(rig.health.url).host;
    expect(run.stdout).toContain(`the app page ${rig.health.url}/ answered 400, not 2xx`);
    expect(run.stdout).toContain(
      `DJANGO_ALLOWED_HOSTS, and that must include ${new URL(rig.health.url).hostname}`,
    );
    expect(rig.health.hosts.at(-1)).toBe(host);
  });

  it('passes when several answers in a row report the deployed commit and the page answers 2xx', async () => {
    const run = await rollout(ON_CURRENT_VERSION);

    expect(run.exitCode).toBe(0);
    expect(run.outputs['refresh-status']).toBe('NotNeeded');
    expect(run.stdout).toContain(`6 answers in a row report commit ${DEPLOYED_COMMIT}`);
    expect(rig.health.requests.filter((path) => path === '/health/').length).toBeGreaterThanOrEqual(7);
    expect(rig.health.requests).toContain('/');
  });
});

describe('item 9: act only on the refresh this run started, and never on AWS’s rollback', () => {
  it('times out during AWS’s own rollback, leaves it running, and says where it ended', async () => {
    // Terminate first, one at a time: the first replacement is done at 50%.
    const running = rollout({
      'min-healthy-percentage': '50',
      'max-healthy-percentage': '100',
      'wait-timeout-minutes': '15',
    });
    await waitFor(async () => (await refreshes())[0]?.PercentageComplete === 50, 'the first replacement');
    // Someone rolls it back from the console, and the rollback's replacement never finishes its checks.
    await rig.region.settings({ healthCheckSeconds: 1e9 });
    await rig.autoScaling.send(
      new RollbackInstanceRefreshCommand({ AutoScalingGroupName: rig.stack.asgName }),
    );

    const run = await running;

    expectExplainedFailure(run, 'timeout');
    expect(run.stdout).toMatch(
      /did not cancel or roll back refresh \S+: it is RollbackInProgress \(AWS is rolling it back; cancelling would stop that rollback\)/,
    );
    // The final verdict: bounded, said up front, and the group's state when the job stops waiting.
    expect(run.stdout).toMatch(
      /final verdict: waiting up to 15m00s for refresh \S+ to finish AWS’s rollback/,
    );
    expect(run.stdout).toMatch(
      /final verdict: refresh \S+ is still RollbackInProgress after 15m00s; AWS goes on without this job; group demo-web-asg: /,
    );
    expect(run.outputs['refresh-status']).toBe('RollbackInProgress');
    expect(run.summary).toContain('when this job stopped waiting');
    expect((await refreshes()).map((refresh) => refresh.Status)).toEqual(['RollbackInProgress']);
  });
});

describe('item 10: groups on $Latest cannot be rolled back by AWS', () => {
  it('refuses auto-rollback: true before any change, and rolls with auto-rollback: false', async () => {
    await rig.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: rig.stack.asgName,
        LaunchTemplate: { LaunchTemplateId: rig.stack.launchTemplateId, Version: '$Latest' },
      }),
    );

    const refused = await rollout();

    expectExplainedFailure(refused, 'auto-rollback-unsupported');
    expect(refused.stdout).toContain('AWS cannot roll back a refresh of a group on $Latest or $Default');
    expect(refused.summary).toContain('`auto-rollback-unsupported`');
    expect(await refreshes()).toEqual([]);

    const rolled = await rollout({ 'auto-rollback': 'false' });
    expect(rolled.exitCode).toBe(0);
    expect(rolled.outputs['refresh-status']).toBe('Successful');
  });
});
