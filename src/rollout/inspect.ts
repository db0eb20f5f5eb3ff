import { AWS_INSTANCE_WAIT_SECONDS } from './settings';
import { DeployError } from '../errors';
import { formatDuration } from '../log';
import type { RolloutContext } from './rolloutContext';
import { describeGroup, resolveTargetVersion, type GroupSnapshot, type LaunchTarget } from '../fleet';

export interface InspectedGroup {
  group: GroupSnapshot;
  target: LaunchTarget;
  targetGroupArns: string[];
}

/** Says, before anything starts, what AWS will do with protected and Standby instances. */
function announceSpecialInstances(context: RolloutContext, group: GroupSnapshot): void {
  const { settings, log } = context;
  const protectedIds = group.instances
    .filter((instance) => instance.lifecycleState === 'InService' && instance.protectedFromScaleIn)
    .map((instance) => instance.instanceId);
  const standbyIds = group.instances
    .filter((instance) => instance.lifecycleState.startsWith('Standby'))
    .map((instance) => instance.instanceId);
  const effects = {
    Refresh: 'the refresh replaces them like the others',
    Terminate: 'the refresh terminates and replaces them',
    Ignore: 'the refresh leaves them on their current version',
    Wait: `AWS waits up to ${AWS_INSTANCE_WAIT_SECONDS / 60} min for them, then fails the refresh`,
  };
  const groups: [string, string[], keyof typeof effects, string][] = [
    ['scale-in protected', protectedIds, settings.scaleInProtectedInstances, 'scale-in-protected-instances'],
    ['in Standby', standbyIds, settings.standbyInstances, 'standby-instances'],
  ];
  for (const [kind, ids, policy, input] of groups) {
    if (ids.length === 0) continue;
    const line = `${ids.length} instance${ids.length === 1 ? ' is' : 's are'} ${kind} (${ids.join(', ')}); ${input}: ${policy}, so ${effects[policy]}`;
    if (policy === 'Wait') {
      log.warning(
        `${line}. Remove the protection or return them to service, or this run's ${formatDuration(settings.waitTimeoutSeconds * 1000)} wait may end first.`,
      );
    } else if (policy === 'Ignore' && kind === 'scale-in protected') {
      log.warning(`${line}: they keep serving the old release, which the smoke check will then see.`);
    } else {
      context.progress(line);
    }
  }
}

/** Refuses, before any change, a group there is nothing to wait on or that AWS cannot roll back. */
function refuseUnrollableGroup(context: RolloutContext, group: GroupSnapshot, targetGroupArns: string[]) {
  if (targetGroupArns.length === 0) {
    throw new DeployError(
      'no-target-groups',
      `Auto Scaling group ${group.name} has no target groups, so there is no ALB health to wait for.`,
      'Attach the group to its target group (the bundled stack does), or pass target-group-arn.',
    );
  }
  if (context.settings.autoRollback && !/^\d+$/.test(group.launchTemplateVersion)) {
    throw new DeployError(
      'auto-rollback-unsupported',
      `Auto Scaling group ${group.name} runs launch template ${group.launchTemplateId} at ${group.launchTemplateVersion}, and AWS cannot roll back a refresh of a group on $Latest or $Default, so auto-rollback: true cannot be honoured. Nothing was changed.`,
      'Point the group at a version number (the bundled stack does), or set auto-rollback: false to roll without AWS rollback.',
    );
  }
}

/** "2x lt-1 v1 InService, 1x lt-1 v2 Pending": what the group runs, counted. */
function describeRunning(group: GroupSnapshot): string {
  const running = new Map<string, number>();
  for (const instance of group.instances) {
    const key = `${instance.launchTemplateId ?? '?'} v${instance.launchTemplateVersion ?? '?'} ${instance.lifecycleState}`;
    running.set(key, (running.get(key) ?? 0) + 1);
  }
  return [...running.entries()].map(([key, count]) => `${count}x ${key}`).join(', ') || 'no instances';
}

/** Reads the group, checks it can be rolled, and resolves the concrete version to roll to. */
export async function inspectGroup(context: RolloutContext): Promise<InspectedGroup> {
  const { settings, clients, region } = context;
  const group = await describeGroup(clients, region, settings.asgName);
  const targetGroupArns =
    settings.targetGroupArns.length > 0 ? settings.targetGroupArns : group.targetGroupArns;
  refuseUnrollableGroup(context, group, targetGroupArns);
  const version = await resolveTargetVersion(clients, group.launchTemplateId, settings.launchTemplateVersion);
  context.progress(
    `group ${group.name}: desired ${group.desiredCapacity}, launch template ${group.launchTemplateId} version ${group.launchTemplateVersion} (${describeRunning(group)}); target version ${version}`,
  );
  announceSpecialInstances(context, group);
  return { group, target: { launchTemplateId: group.launchTemplateId, version }, targetGroupArns };
}
