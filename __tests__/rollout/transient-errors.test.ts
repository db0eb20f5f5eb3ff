/**
 * Throttling bursts and dropped connections mid-rollout. Neither moto nor the emulated-region
 * harness can produce these on demand, so this suite uses aws-sdk-client-mock (the only place in
 * the rollout tests that does); everything else runs against the emulated region.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { runRollout } from '../../src/rollout';
import { createFakeClock } from '../support/fakeClock';
import { rolloutSettings } from '../support/config';
import { createRecorder } from '../support/recorder';
import { groupOn } from './mockedGroup';

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} from the mock`), { name, $metadata: {}, ...extra });
}

describe('rollout through throttling and network resets (aws-sdk-client-mock)', () => {
  it('waits them out with backoff, says so in the log, and finishes the rollout', async () => {
    const autoScaling = mockClient(AutoScalingClient);
    const ec2 = mockClient(EC2Client);
    const elbv2 = mockClient(ElasticLoadBalancingV2Client);
    ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LatestVersionNumber: 2 }] });
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolvesOnce(groupOn('1')).resolves(groupOn('2'));
    autoScaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'r-1' });
    autoScaling
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [] })
      .rejectsOnce(awsError('Throttling', { $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(awsError('Throttling', { $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(awsError('Error', { code: 'ECONNRESET' }))
      .resolvesOnce({
        InstanceRefreshes: [{ InstanceRefreshId: 'r-1', Status: 'InProgress', PercentageComplete: 50 }],
      })
      .resolves({
        InstanceRefreshes: [{ InstanceRefreshId: 'r-1', Status: 'Successful', PercentageComplete: 100 }],
      });
    const healthyTargets = {
      TargetHealthDescriptions: ['i-1', 'i-2'].map((id) => ({
        Target: { Id: id, Port: 80 },
        TargetHealth: { State: 'healthy' as const },
      })),
    };
    // The refresh wait asks only DescribeInstanceRefreshes, so the first target read, and its 503,
    // belong to the target-health wait.
    elbv2
      .on(DescribeTargetHealthCommand)
      .rejectsOnce(awsError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }))
      .resolves(healthyTargets);

    const recorder = createRecorder();
    const { clock, sleeps } = createFakeClock();
    const settings = rolloutSettings({ 'poll-interval-seconds': '5' });
    const result = await runRollout(
      {
        clients: {
          autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
          ec2: new EC2Client({ region: 'eu-west-1' }),
          elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
          ssm: new SSMClient({ region: 'eu-west-1' }),
          cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
          logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
        },
        log: recorder.log,
        clock,
        fetch: globalThis.fetch,
      },
      settings,
      'eu-west-1',
    );

    expect(result).toMatchObject({
      refreshId: 'r-1',
      refreshStatus: 'Successful',
      healthyTargets: 2,
      targetVersion: 2,
    });
    expect(recorder.lines.filter((line) => line.startsWith('warning: AWS throttling error'))).toHaveLength(2);
    expect(recorder.text()).toContain('warning: AWS network error');
    expect(recorder.text()).toContain('warning: AWS server error');
    // The first check one interval after the start (the mock group sets no warmup, so success is
    // possible at once); the 5 s interval doubled with each failure, went back to 5 s after a good
    // answer, and the target wait backed off on its own 503.
    expect(sleeps).toEqual([5000, 10_000, 20_000, 40_000, 5000, 10_000]);
  });
});
