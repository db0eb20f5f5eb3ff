import {
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  type ScalingPolicy,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import type { AwsClients } from '../aws';
import { DeployError } from '../errors';
import { burnScript, executionTimeoutSeconds } from './burn';
import type { Invocation, ScalingActivity } from './timeline';

/** The target tracking policy the test drives, and the alarm through which AWS scales out. */
export interface TrackingPolicy {
  name: string;
  arn: string;
  targetValue: number;
  enabled: boolean;
  /** DisableScaleIn: the policy never removes instances. */
  scaleInDisabled: boolean;
  estimatedWarmupSeconds: number | undefined;
  alarmNames: string[];
}

export interface ScaleOutAlarm {
  name: string;
  state: string;
  threshold: number;
  periodSeconds: number;
  datapointsToAlarm: number;
  namespace: string;
  metricName: string;
  statistic: string;
  dimensions: { Name: string; Value: string }[];
}

const CPU_METRIC = 'ASGAverageCPUUtilization';

function toPolicy(policy: ScalingPolicy): TrackingPolicy {
  return {
    name: policy.PolicyName ?? '',
    arn: policy.PolicyARN ?? '',
    targetValue: policy.TargetTrackingConfiguration?.TargetValue ?? 0,
    enabled: policy.Enabled !== false,
    scaleInDisabled: policy.TargetTrackingConfiguration?.DisableScaleIn === true,
    estimatedWarmupSeconds: policy.EstimatedInstanceWarmup,
    alarmNames: (policy.Alarms ?? []).map((alarm) => alarm.AlarmName ?? '').filter(Boolean),
  };
}

/**
 * The group's CPU target tracking policy: the one the stack names (Terraform output) or, for a
 * group named directly, its only ASGAverageCPUUtilization policy. Its Alarms come from AWS, which
 * creates them with the policy: their names are never guessed.
 */
export async function findTrackingPolicy(
  clients: AwsClients,
  asgName: string,
  policyName: string | undefined,
): Promise<TrackingPolicy> {
  const response = await clients.autoScaling.send(
    new DescribePoliciesCommand({
      AutoScalingGroupName: asgName,
      PolicyTypes: ['TargetTrackingScaling'],
      ...(policyName ? { PolicyNames: [policyName] } : {}),
    }),
  );
  const cpuPolicies = (response.ScalingPolicies ?? []).filter(
    (policy) =>
      policy.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === CPU_METRIC,
  );
  if (cpuPolicies.length !== 1 || !cpuPolicies[0]) {
    throw new DeployError(
      'no-cpu-scaling-policy',
      cpuPolicies.length === 0
        ? `Auto Scaling group ${asgName} has no target tracking policy on ${CPU_METRIC}${policyName ? ` named ${policyName}` : ''}: a CPU load cannot make it scale.`
        : `Auto Scaling group ${asgName} has ${cpuPolicies.length} ${CPU_METRIC} target tracking policies (${cpuPolicies.map((policy) => policy.PolicyName).join(', ')}); the test cannot tell which one to watch.`,
      'The bundled stack creates one (terraform output scaling_policy_name); for another group keep a single CPU target tracking policy.',
    );
  }
  const policy = toPolicy(cpuPolicies[0]);
  if (policy.alarmNames.length === 0) {
    throw new DeployError(
      'no-policy-alarms',
      `Target tracking policy ${policy.name} of ${asgName} has no CloudWatch alarms, so nothing can make it scale out.`,
      'AWS creates them with the policy; recreate the policy (terraform apply -replace on the aws_autoscaling_policy) if they were deleted.',
    );
  }
  return policy;
}

/** The policy's alarms, as CloudWatch describes them: the scale-out one, and the scale-in one if any. */
export interface PolicyAlarms {
  high: ScaleOutAlarm;
  /** AWS does not document whether a policy with DisableScaleIn has one. */
  low: ScaleOutAlarm | undefined;
}

const HIGH = ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold'];
const LOW = ['LessThanThreshold', 'LessThanOrEqualToThreshold'];

/** Of the policy's alarms, the one that fires on high CPU (the scale-out trigger) and the low one. */
export async function describePolicyAlarms(
  clients: AwsClients,
  policy: TrackingPolicy,
): Promise<PolicyAlarms> {
  const response = await clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: policy.alarmNames }),
  );
  const alarms = response.MetricAlarms ?? [];
  const high = alarms.find((alarm) => HIGH.includes(alarm.ComparisonOperator ?? ''));
  if (!high) {
    throw new DeployError(
      'no-policy-alarms',
      `None of the alarms of policy ${policy.name} (${policy.alarmNames.join(', ')}) fires on high values.`,
      'Recreate the target tracking policy so AWS recreates its alarms.',
    );
  }
  const low = alarms.find((alarm) => LOW.includes(alarm.ComparisonOperator ?? ''));
  return { high: toAlarm(high), low: low ? toAlarm(low) : undefined };
}

/** The alarm as CloudWatch describes it: its period is read, never assumed. */
function toAlarm(alarm: MetricAlarm): ScaleOutAlarm {
  if (alarm.Period === undefined) {
    throw new DeployError(
      'no-policy-alarms',
      `Alarm ${alarm.AlarmName ?? '?'} declares no Period (a metric math alarm?): the test cannot tell how long it takes to fire.`,
      'Recreate the target tracking policy so AWS recreates its alarms on the CPU metric.',
    );
  }
  return {
    name: alarm.AlarmName ?? '',
    state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
    threshold: alarm.Threshold ?? 0,
    periodSeconds: alarm.Period,
    datapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 1,
    namespace: alarm.Namespace ?? 'AWS/EC2',
    metricName: alarm.MetricName ?? 'CPUUtilization',
    statistic: alarm.Statistic ?? 'Average',
    dimensions: (alarm.Dimensions ?? []).map((dimension) => ({
      Name: dimension.Name ?? '',
      Value: dimension.Value ?? '',
    })),
  };
}

export async function alarmState(clients: AwsClients, alarmName: string): Promise<string> {
  const response = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return response.MetricAlarms?.[0]?.StateValue ?? 'INSUFFICIENT_DATA';
}

/** The alarm's own metric at the alarm's own period, from `since` on: exactly what it evaluates. */
export async function metricSince(
  clients: AwsClients,
  alarm: ScaleOutAlarm,
  since: Date,
  now: Date,
): Promise<{ latest: number | undefined; peak: number | undefined }> {
  const response = await clients.cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: since,
      // One period past now: the window is never empty (StartTime must differ from EndTime), and
      // the period in progress is included.
      EndTime: new Date(now.getTime() + alarm.periodSeconds * 1000),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'cpu',
          MetricStat: {
            Metric: {
              Namespace: alarm.namespace,
              MetricName: alarm.metricName,
              Dimensions: alarm.dimensions,
            },
            Period: alarm.periodSeconds,
            Stat: alarm.statistic,
          },
        },
      ],
    }),
  );
  const result = response.MetricDataResults?.[0];
  const points = (result?.Timestamps ?? []).map((timestamp, i) => ({
    at: new Date(timestamp).getTime(),
    value: result?.Values?.[i] ?? 0,
  }));
  points.sort((a, b) => b.at - a.at);
  return {
    latest: points[0]?.value,
    peak: points.length > 0 ? Math.max(...points.map((point) => point.value)) : undefined,
  };
}

export async function activitiesSince(
  clients: AwsClients,
  asgName: string,
  since: Date,
): Promise<ScalingActivity[]> {
  const response = await clients.autoScaling.send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: asgName, MaxRecords: 20 }),
  );
  return (response.Activities ?? [])
    .filter((activity) => (activity.StartTime?.getTime() ?? 0) >= since.getTime())
    .map((activity) => ({
      id: activity.ActivityId ?? '',
      description: activity.Description ?? '',
      cause: activity.Cause ?? '',
      statusCode: activity.StatusCode ?? 'Unknown',
      statusMessage: activity.StatusMessage,
      startTime: activity.StartTime?.getTime() ?? 0,
    }));
}

/** Sends the burn to the instances; returns the command id. */
export async function sendLoad(
  clients: AwsClients,
  instanceIds: string[],
  durationSeconds: number,
  workersPerVcpu: number,
): Promise<string> {
  const response = await clients.ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: instanceIds,
      Comment: `ha-django-deploy scale-test: ${durationSeconds}s CPU load`,
      Parameters: {
        commands: [burnScript(durationSeconds, workersPerVcpu)],
        executionTimeout: [String(executionTimeoutSeconds(durationSeconds))],
      },
      // How long SSM may try to deliver the command to an agent before giving up on that instance.
      TimeoutSeconds: 60,
    }),
  );
  const id = response.Command?.CommandId;
  if (!id) throw new Error('SendCommand returned no command id');
  return id;
}

export async function invocationsOf(
  clients: AwsClients,
  commandId: string,
  instanceIds: string[],
): Promise<Invocation[]> {
  return Promise.all(
    instanceIds.map(async (instanceId) => {
      try {
        const response = await clients.ssm.send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
        );
        const status = response.Status ?? 'Pending';
        return {
          instanceId,
          status,
          detail: response.StatusDetails,
          stderr: status === 'Failed' ? response.StandardErrorContent : undefined,
        };
      } catch (error) {
        // Right after SendCommand the invocation may not be registered yet.
        if (error instanceof InvocationDoesNotExist) {
          return { instanceId, status: 'Pending', detail: 'not yet delivered', stderr: undefined };
        }
        throw error;
      }
    }),
  );
}

export async function cancelLoad(clients: AwsClients, commandId: string): Promise<void> {
  await clients.ssm.send(new CancelCommandCommand({ CommandId: commandId }));
}
