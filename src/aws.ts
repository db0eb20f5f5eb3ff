import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsSettings } from './config';

/** The AWS clients the rollout needs; tests hand in clients pointed at the emulated region. */
export interface AwsClients {
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  ec2: EC2Client;
  /** Reads the failing instances' app logs on a failed rollout. */
  logs: CloudWatchLogsClient;
}

/**
 * Credentials come from the SDK's default chain (the env vars configure-aws-credentials sets, or a
 * profile). Adaptive retry rate-limits the client itself when AWS starts throttling, which matters
 * for a poller that runs for half an hour beside other deploys in the same account.
 */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const common = {
    region: settings.region,
    retryMode: 'adaptive',
    maxAttempts: 6,
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
  };
  return {
    autoScaling: new AutoScalingClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    ec2: new EC2Client(common),
    logs: new CloudWatchLogsClient(common),
  };
}
