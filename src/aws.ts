import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsSettings {
  region: string;
  /** Only set to reach an emulated or private endpoint; unset means the SDK's normal resolution. */
  endpointUrl: string | undefined;
  /** 1 against AWS; an emulated region's time scale (HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE) in tests. */
  timeScale: number;
}

/** The AWS clients the rollout needs; tests hand in clients pointed at the emulated region. */
export interface AwsClients {
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  ec2: EC2Client;
  /** scale-test: the load (Run Command) and the metric and alarm it drives. */
  ssm: SSMClient;
  cloudWatch: CloudWatchClient;
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
    ssm: new SSMClient(common),
    // This SDK line speaks awsJson1_0 to CloudWatch; the emulated-region scale test fails loudly
    // if a later version defaults to the Smithy RPC v2 CBOR protocol moto does not speak.
    cloudWatch: new CloudWatchClient(common),
    logs: new CloudWatchLogsClient(common),
  };
}
