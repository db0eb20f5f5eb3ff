import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws';
import { DeployError, errorMessage } from '../errors';

export interface GroupInstance {
  instanceId: string;
  lifecycleState: string;
  availabilityZone: string;
  /** The launch template the instance was launched from, as Auto Scaling reports it. */
  launchTemplateId: string | undefined;
  /** The launch template version the instance was launched from, as Auto Scaling reports it. */
  launchTemplateVersion: string | undefined;
  protectedFromScaleIn: boolean;
  /** Auto Scaling's health status: `Unhealthy` once it has judged the instance failed and will replace it. */
  healthStatus?: string | undefined;
}

/** A concrete launch template version: the id matters as much as the number (lt-new v3 is not lt-old v3). */
export interface LaunchTarget {
  launchTemplateId: string;
  version: number;
}

export interface GroupSnapshot {
  name: string;
  desiredCapacity: number;
  launchTemplateId: string;
  /** The group's configured version: a number, or `$Latest`/`$Default` on groups not managed by us. */
  launchTemplateVersion: string;
  targetGroupArns: string[];
  instances: GroupInstance[];
  maxSize: number;
  /** Auto Scaling processes someone suspended (Launch, AlarmNotification, ...). */
  suspendedProcesses: string[];
  /** The group's DefaultInstanceWarmup, when set. */
  defaultInstanceWarmup: number | undefined;
  /** The group's HealthCheckGracePeriod: a refresh's warmup when neither it nor the group sets one. */
  healthCheckGracePeriod?: number | undefined;
}

/** Reads the group; a missing group or one without a launch template is a clear, final error. */
export async function describeGroup(
  clients: AwsClients,
  region: string,
  name: string,
): Promise<GroupSnapshot> {
  const response = await clients.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const group = response.AutoScalingGroups?.[0];
  if (!group) {
    throw new DeployError(
      'asg-not-found',
      `Auto Scaling group "${name}" was not found in ${region}.`,
      'Check asg-name and aws-region (the terraform output asg_name), and that the deploy role may call autoscaling:DescribeAutoScalingGroups.',
    );
  }
  return toSnapshot(group, name);
}

function toSnapshot(group: AutoScalingGroup, name: string): GroupSnapshot {
  const template = group.LaunchTemplate;
  if (!template?.LaunchTemplateId) {
    const uses = group.MixedInstancesPolicy ? 'a mixed instances policy' : 'a launch configuration';
    throw new DeployError(
      'unsupported-group',
      `Auto Scaling group "${name}" uses ${uses}; this action rolls groups that use a launch template directly.`,
      'Attach a launch template to the group (the bundled terraform/ stack does), then run again.',
    );
  }
  return {
    name,
    desiredCapacity: group.DesiredCapacity ?? 0,
    launchTemplateId: template.LaunchTemplateId,
    launchTemplateVersion: template.Version ?? '$Default',
    targetGroupArns: group.TargetGroupARNs ?? [],
    instances: (group.Instances ?? []).map((instance) => ({
      instanceId: instance.InstanceId ?? '',
      lifecycleState: instance.LifecycleState ?? 'Unknown',
      availabilityZone: instance.AvailabilityZone ?? 'unknown',
      launchTemplateId: instance.LaunchTemplate?.LaunchTemplateId,
      launchTemplateVersion: instance.LaunchTemplate?.Version,
      protectedFromScaleIn: instance.ProtectedFromScaleIn ?? false,
      healthStatus: instance.HealthStatus,
    })),
    maxSize: group.MaxSize ?? 0,
    suspendedProcesses: (group.SuspendedProcesses ?? []).map((process) => process.ProcessName ?? ''),
    defaultInstanceWarmup: group.DefaultInstanceWarmup,
    healthCheckGracePeriod: group.HealthCheckGracePeriod,
  };
}

export function runsTarget(instance: GroupInstance, target: LaunchTarget): boolean {
  return (
    instance.launchTemplateId === target.launchTemplateId &&
    instance.launchTemplateVersion === String(target.version)
  );
}

/** In-service instances launched from exactly the target template and version. */
export function upToDateInstanceIds(group: GroupSnapshot, target: LaunchTarget): Set<string> {
  return new Set(
    group.instances
      .filter((instance) => instance.lifecycleState === 'InService' && runsTarget(instance, target))
      .map((instance) => instance.instanceId),
  );
}

/**
 * True when the group is configured for the target template and version and every in-service
 * instance was launched from it: the template id is compared as well as the version number.
 */
export function isGroupOnVersion(group: GroupSnapshot, target: LaunchTarget): boolean {
  const inService = group.instances.filter((instance) => instance.lifecycleState === 'InService');
  return (
    group.launchTemplateId === target.launchTemplateId &&
    group.launchTemplateVersion === String(target.version) &&
    inService.length >= group.desiredCapacity &&
    inService.every((instance) => runsTarget(instance, target))
  );
}

/**
 * The concrete version to roll to: the one asked for (checked to exist) or the template's latest,
 * as a number. Never `$Latest`: AWS cannot roll a refresh back without a concrete version.
 */
export async function resolveTargetVersion(
  clients: AwsClients,
  launchTemplateId: string,
  requested: number | undefined,
): Promise<number> {
  // EC2's SDK is large and called once, after the group was read: it loads here, not at start.
  const { DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand } =
    await import('./ec2Commands');
  try {
    if (requested !== undefined) {
      const response = await clients.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: launchTemplateId,
          Versions: [String(requested)],
        }),
      );
      if (response.LaunchTemplateVersions?.[0]?.VersionNumber === requested) return requested;
    } else {
      const response = await clients.ec2.send(
        new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [launchTemplateId] }),
      );
      const latest = response.LaunchTemplates?.[0]?.LatestVersionNumber;
      if (latest !== undefined) return latest;
    }
  } catch (error) {
    throw new DeployError(
      'launch-template-version-not-found',
      `Could not read launch template ${launchTemplateId}${requested === undefined ? '' : ` version ${requested}`}: ${errorMessage(error)}`,
      'Check launch-template-version (terraform output launch_template_version) and that the role may call ec2:DescribeLaunchTemplates and ec2:DescribeLaunchTemplateVersions.',
    );
  }
  throw new DeployError(
    'launch-template-version-not-found',
    `Launch template ${launchTemplateId} has no version ${requested ?? '(latest)'}.`,
    'Check launch-template-version against `aws ec2 describe-launch-template-versions`.',
  );
}
