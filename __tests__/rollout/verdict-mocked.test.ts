/**
 * Issue 9 cases neither moto nor the emulated-region harness can produce, so they use
 * aws-sdk-client-mock (each case says why); everything else is in verdict.integration.test.ts against the
 * emulated region.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { DeployError } from '../../src/errors';
import { runRollout } from '../../src/rollout';
import { createFakeClock } from '../support/fakeClock';
import { rolloutSettings } from '../support/config';
import { createRecorder } from '../support/recorder';
import { groupOn } from './mockedGroup';

function refresh(id: string, Status: InstanceRefresh['Status'] | undefined, StatusReason?: string) {
  return { InstanceRefreshes: [{ InstanceRefreshId: id, Status, StatusReason, PercentageComplete: 50 }] };
}

function awsError(name: string): Error {
  return Object.assign(new Error(`${name}: The security token included in the request is expired`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

function targets(...entries: [string, number, string][]): {
  TargetHealthDescriptions: TargetHealthDescription[];
} {
  return {
    TargetHealthDescriptions: entries.map(([id, port, state]) => ({
      Target: { Id: id, Port: port },
      TargetHealth: { State: state as 'healthy' },
    })),
  };
}

function mocks() {
  const autoScaling = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LatestVersionNumber: 2 }] });
  return { autoScaling, ec2, elbv2 };
}

async function roll(values: Record<string, string> = {}, fetch: typeof globalThis.fetch = globalThis.fetch) {
  const recorder = createRecorder();
  const { clock } = createFakeClock();
  const settings = rolloutSettings(values);
  const outcome = await runRollout(
    {
      clients: {
        autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
        ec2: new EC2Client({ region: 'eu-west-1' }),
        elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
        logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
        ssm: new SSMClient({ region: 'eu-west-1' }),
        cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
      },
      log: recorder.log,
      clock,
      fetch,
    },
    settings,
    'eu-west-1',
  ).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as DeployError }),
  );
  return { ...outcome, recorder };
}

afterEach(() => {
  mockClient(AutoScalingClient).restore();
  mockClient(EC2Client).restore();
  mockClient(ElasticLoadBalancingV2Client).restore();
});

describe('item 4: credentials that expire mid-wait', () => {
  // moto accepts any credentials forever: it cannot expire a session in the middle of a wait.
  it.each(['ExpiredToken', 'ExpiredTokenException'])(
    '%s names the refresh, its last status, that it may still run, and how to check',
    async (name) => {
      const { autoScaling, elbv2 } = mocks();
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupOn('1'));
      autoScaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'r-9' });
      autoScaling
        .on(DescribeInstanceRefreshesCommand)
        .resolvesOnce({ InstanceRefreshes: [] })
        .resolvesOnce(refresh('r-9', 'InProgress', 'Waiting for instances to warm up'))
        .rejects(awsError(name));
      elbv2.on(DescribeTargetHealthCommand).resolves(targets(['i-1', 80, 'healthy']));

      const { error, recorder } = await roll({ 'wait-timeout-minutes': '90' });

      expect(error).toBeInstanceOf(DeployError);
      expect(error?.reason).toBe('credentials-expired');
      expect(error?.message).toContain(
        `The AWS credentials expired (${name}) while waiting for instance refresh r-9 (last seen InProgress: Waiting for instances to warm up) of web. The refresh may still be running`,
      );
      expect(error?.nextSteps).toContain(
        'aws autoscaling describe-instance-refreshes --auto-scaling-group-name web --instance-refresh-ids r-9',
      );
      expect(autoScaling.commandCalls(CancelInstanceRefreshCommand)).toHaveLength(0);
      expect(autoScaling.commandCalls(RollbackInstanceRefreshCommand)).toHaveLength(0);
      expect(recorder.text()).toContain(
        'warning: wait-timeout-minutes is 90, longer than the 1 h GitHub OIDC',
      );
    },
  );
});

describe('item 6: success is Successful only', () => {
  // The emulated region only ever reports AWS's documented statuses, so it cannot send an
  // unknown one or none at all.
  it.each([
    ['an unknown status', 'SomethingNew', 'ended SomethingNew'],
    ['no status', undefined, 'ended (no status)'],
  ])('fails on %s, naming it', async (_label, status, text) => {
    const { autoScaling, elbv2 } = mocks();
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupOn('1'));
    autoScaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'r-1' });
    autoScaling
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [] })
      .resolves(refresh('r-1', status as InstanceRefresh['Status']));
    elbv2.on(DescribeTargetHealthCommand).resolves(targets(['i-1', 80, 'healthy'], ['i-2', 80, 'healthy']));

    const { error } = await roll();

    expect(error?.reason).toBe('refresh-not-successful');
    expect(error?.message).toContain(text);
  });
});

describe('item 7: readiness counts distinct instances', () => {
  // moto keys a target group's targets by instance id, so one instance cannot be registered on two
  // ports there.
  it('does not count one instance on two ports as two healthy instances', async () => {
    const { autoScaling, elbv2 } = mocks();
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupOn('2'));
    autoScaling.on(DescribeInstanceRefreshesCommand).resolves({ InstanceRefreshes: [] });
    elbv2
      .on(DescribeTargetHealthCommand)
      .resolves(targets(['i-1', 80, 'healthy'], ['i-1', 8080, 'healthy'], ['i-2', 80, 'initial']));

    const { error, recorder } = await roll({ 'wait-timeout-minutes': '1', 'on-timeout': 'none' });

    expect(error?.reason).toBe('timeout');
    expect(recorder.text()).toContain('(need 2 healthy instances on the new version, have 1)');
  });
});

describe('item 9: act only on the refresh this run started', () => {
  // Making another actor start a refresh at the exact moment ours ends is a race in the emulated
  // region; the mock pins the moment.
  it('never cancels, rolls back or competes with a refresh that is not ours', async () => {
    const { autoScaling, elbv2 } = mocks();
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolvesOnce(groupOn('1')).resolves(groupOn('2', '1'));
    autoScaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'r-ours' });
    autoScaling
      .on(DescribeInstanceRefreshesCommand, { AutoScalingGroupName: 'web', MaxRecords: 10 })
      .resolvesOnce({ InstanceRefreshes: [] })
      .resolves(refresh('r-theirs', 'InProgress'));
    autoScaling
      .on(DescribeInstanceRefreshesCommand, { AutoScalingGroupName: 'web', InstanceRefreshIds: ['r-ours'] })
      .resolves(refresh('r-ours', 'Successful'));
    elbv2.on(DescribeTargetHealthCommand).resolves(targets(['i-1', 80, 'healthy'], ['i-2', 80, 'healthy']));

    const { error } = await roll({ 'wait-timeout-minutes': '1' });

    expect(error?.reason).toBe('timeout');
    expect(error?.message).toContain(
      'did not start an undo refresh: refresh r-theirs (InProgress) is running, not ours',
    );
    expect(autoScaling.commandCalls(StartInstanceRefreshCommand)).toHaveLength(1);
    expect(autoScaling.commandCalls(CancelInstanceRefreshCommand)).toHaveLength(0);
    expect(autoScaling.commandCalls(RollbackInstanceRefreshCommand)).toHaveLength(0);
  });

  // A refresh that sits in Baking needs BakeTime, which this action never sets, so the emulated
  // region has no way to show another deploy's Baking refresh to this one.
  it.each(['Baking', 'RollbackInProgress'])(
    'on-refresh-in-progress: cancel waits for a %s refresh instead of cancelling it',
    async (status) => {
      const { autoScaling, elbv2 } = mocks();
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupOn('2'));
      autoScaling
        .on(DescribeInstanceRefreshesCommand)
        .resolvesOnce(refresh('r-other', status as InstanceRefresh['Status']))
        .resolves(refresh('r-other', 'Successful'));
      elbv2.on(DescribeTargetHealthCommand).resolves(targets(['i-1', 80, 'healthy'], ['i-2', 80, 'healthy']));

      const { error, recorder } = await roll({ 'on-refresh-in-progress': 'cancel' });

      expect(error).toBeUndefined();
      expect(recorder.text()).toContain(`not cancelling refresh r-other: it is ${status}`);
      expect(autoScaling.commandCalls(CancelInstanceRefreshCommand)).toHaveLength(0);
    },
  );
});

describe('item 8: the default smoke URL', () => {
  // moto's CreateListener for HTTPS wants an ACM or IAM certificate it knows, and the emulated load
  // balancer's DNS name is a real AWS zone the tests must not query: the mock gives the listeners,
  // and a fetch stand-in records the URL instead of sending anything.
  it.each([
    ['https', [{ Protocol: 'HTTP' as const }, { Protocol: 'HTTPS' as const }]],
    ['http', [{ Protocol: 'HTTP' as const }]],
  ])('is %s://<load balancer> for these listeners', async (scheme, listeners) => {
    const { autoScaling, elbv2 } = mocks();
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupOn('2'));
    autoScaling.on(DescribeInstanceRefreshesCommand).resolves({ InstanceRefreshes: [] });
    elbv2.on(DescribeTargetHealthCommand).resolves(targets(['i-1', 80, 'healthy'], ['i-2', 80, 'healthy']));
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ LoadBalancerArns: ['arn:lb'] }] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: 'web.example.invalid' }] });
    elbv2.on(DescribeListenersCommand).resolves({ Listeners: listeners });
    const requested: string[] = [];
    const offline = (url: string | URL | Request) => {
      requested.push(url instanceof Request ? url.url : url.toString());
      return Promise.reject(new TypeError('fetch failed', { cause: new Error('offline in this test') }));
    };

    const { error } = await roll({ 'smoke-check': 'true', 'wait-timeout-minutes': '1' }, offline);

    expect(error?.reason).toBe('smoke-failed');
    expect(new Set(requested)).toEqual(new Set([`${scheme}://web.example.invalid/health/`]));
  });
});
