/**
 * The fast verdict: is the new release failing its health checks in a way AWS would only keep
 * retrying? Pure: the watch feeds it every group and target read it makes.
 *
 * On AWS, with ELB health checks, an instance the load balancer reports unhealthy after the
 * group's grace period is marked `Unhealthy` and replaced, and an instance refresh whose new
 * instances do not pass their health checks "keeps retrying for an hour" before it fails ("How an
 * instance refresh works", Limitations). So a broken release would hold the job for the whole
 * wait and end `timeout` with AWS still retrying.
 *
 * The rule: the release is judged failing once FAILED_INSTANCES_FOR_VERDICT instances launched
 * from it have been taken out of service by AWS (marked `Unhealthy`, or gone from service while
 * the refresh rolls forward) without their targets ever having been seen `healthy`, and the last
 * reason code seen for them is the target's own (`Target.*`, or still `initial`: never passed a
 * check), not the load balancer's (`Elb.InternalError`). Why two: AWS only marks an instance
 * `Unhealthy` after its grace period, so each one is AWS's own judgement, not our impatience;
 * one such instance can be a bad host or a slow boot, which AWS's replacement then fixes; a second
 * instance of the same release failing the same way is the release. It comes within minutes (two
 * grace periods at most, one when a batch launches two instances at once), where AWS's retries
 * would take an hour. StatusReason is never read: its wording is undocumented.
 */
import { runsTarget, type GroupSnapshot, type LaunchTarget, type TargetState } from '../fleet';

export const FAILED_INSTANCES_FOR_VERDICT = 2;

export interface FailedInstance {
  instanceId: string;
  /** What AWS did: marked it Unhealthy, or took it out of service. */
  takenOut: string;
  /** The last target state seen for it, with its reason code. */
  lastTarget: string;
}

export interface ReleaseVerdict {
  failed: FailedInstance[];
  summary: string;
}

function describeTarget(target: TargetState): string {
  if (!target.reason) return target.state;
  return `${target.state} (${target.reason}${target.description ? `: ${target.description}` : ''})`;
}

export function createReleaseVerdict(target: LaunchTarget) {
  /** Instances of the release seen in service, and the last target state seen for each. */
  const lastTarget = new Map<string, TargetState | undefined>();
  const everHealthy = new Set<string>();
  const failed = new Map<string, FailedInstance>();

  function noteTargets(targets: TargetState[]): void {
    for (const item of targets) {
      if (!lastTarget.has(item.id) || item.state === 'draining') continue;
      lastTarget.set(item.id, item);
      if (item.state === 'healthy') everHealthy.add(item.id);
    }
  }

  function takenOutBy(group: GroupSnapshot, id: string): string | undefined {
    const instance = group.instances.find((candidate) => candidate.instanceId === id);
    if (!instance) return 'left the group';
    if (instance.healthStatus === 'Unhealthy') return 'marked Unhealthy by Auto Scaling';
    return instance.lifecycleState === 'InService'
      ? undefined
      : `taken out of service (${instance.lifecycleState})`;
  }

  function countsAsReleaseFailure(id: string): boolean {
    if (everHealthy.has(id)) return false;
    const last = lastTarget.get(id);
    return last === undefined || last.state === 'initial' || (last.reason ?? '').startsWith('Target.');
  }

  /** Notes a group read; call with its targets when they were read together. */
  function note(group: GroupSnapshot, targets?: TargetState[]): void {
    for (const instance of group.instances) {
      if (
        instance.lifecycleState === 'InService' &&
        runsTarget(instance, target) &&
        !lastTarget.has(instance.instanceId)
      )
        lastTarget.set(instance.instanceId, undefined);
    }
    if (targets) noteTargets(targets);
    for (const id of lastTarget.keys()) {
      if (failed.has(id)) continue;
      const takenOut = takenOutBy(group, id);
      if (!takenOut || !countsAsReleaseFailure(id)) continue;
      const last = lastTarget.get(id);
      failed.set(id, {
        instanceId: id,
        takenOut,
        lastTarget: last ? describeTarget(last) : 'never seen passing a health check',
      });
    }
  }

  function verdict(): ReleaseVerdict | undefined {
    if (failed.size < FAILED_INSTANCES_FOR_VERDICT) return undefined;
    const list = [...failed.values()];
    return {
      failed: list,
      summary: `${list.length} instances of launch template ${target.launchTemplateId} version ${target.version} failed their health checks and AWS took them out of service (${list
        .map((item) => `${item.instanceId}: ${item.lastTarget}, ${item.takenOut}`)
        .join('; ')})`,
    };
  }

  return { note, verdict, failedInstanceIds: () => [...failed.keys()] };
}

export type ReleaseVerdictTracker = ReturnType<typeof createReleaseVerdict>;
