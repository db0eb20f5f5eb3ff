import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { ClockAnchor } from '../clock';

export interface AwsSettings {
  region: string;
  /** Only set to reach an emulated or private endpoint; unset means the SDK's normal resolution. */
  endpointUrl: string | undefined;
  /** 1 against AWS; an emulated region's time scale (HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE) in tests. */
  timeScale: number;
  /** Emulated regions only (HA_DJANGO_DEPLOY_EMULATED_CLOCK_ANCHOR): puts a scaled clock on the region's dates. */
  clockAnchor?: ClockAnchor;
}

/** The AWS clients the rollout needs; tests hand in clients pointed at the emulated region. */
export interface AwsClients {
  autoScaling: Pick<AutoScalingClient, 'send'>;
  elbv2: Pick<ElasticLoadBalancingV2Client, 'send'>;
  ec2: Pick<EC2Client, 'send'>;
  /** scale-test: the load (Run Command) and the metric and alarm it drives. */
  ssm: Pick<SSMClient, 'send'>;
  cloudWatch: Pick<CloudWatchClient, 'send'>;
  /** Reads the failing instances' app logs on a failed rollout. */
  logs: Pick<CloudWatchLogsClient, 'send'>;
}

type SdkClient = { send: (...args: never[]) => Promise<unknown> };

/**
 * A client whose SDK package loads on its first call, not when the run starts: a rollout reaches
 * its first AWS answer having compiled Auto Scaling's client alone, and a service a run never
 * calls is never loaded. Only `send` is used, so that is all it offers.
 */
function onFirstUse<C extends SdkClient>(load: () => Promise<C>): Pick<C, 'send'> {
  let client: Promise<C> | undefined;
  const send = async (...args: Parameters<C['send']>): Promise<unknown> => {
    client ??= load();
    return (await client).send(...args);
  };
  // The SDK's send is overloaded (promise and callback forms); the action only uses the promise one.
  return { send } as unknown as Pick<C, 'send'>;
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
    autoScaling: onFirstUse(async () => new (await import('./autoScaling')).AutoScalingClient(common)),
    elbv2: onFirstUse(async () => new (await import('./elbv2')).ElasticLoadBalancingV2Client(common)),
    ec2: onFirstUse(async () => new (await import('./ec2')).EC2Client(common)),
    ssm: onFirstUse(async () => new (await import('./ssm')).SSMClient(common)),
    // This SDK line speaks awsJson1_0 to CloudWatch; the emulated-region scale test fails loudly
    // if a later version defaults to the Smithy RPC v2 CBOR protocol moto does not speak.
    cloudWatch: onFirstUse(async () => new (await import('./cloudWatch')).CloudWatchClient(common)),
    logs: onFirstUse(async () => new (await import('./logs')).CloudWatchLogsClient(common)),
  };
}
