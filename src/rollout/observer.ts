import type { RolloutSettings } from './settings';
import type { RolloutContext } from './rolloutContext';
import {
  describeGroup,
  describeTargets,
  evaluateTargets,
  upToDateInstanceIds,
  type GroupSnapshot,
  type LaunchTarget,
  type TargetState,
  type TargetVerdict,
} from '../fleet';
import { createReleaseVerdict } from './releaseVerdict';

export interface Observation {
  group: GroupSnapshot;
  targets: TargetState[];
  verdict: TargetVerdict;
}

/**
 * Instances that must end healthy on the new version: the desired capacity, less scale-in
 * protected instances the refresh was told to leave alone (scale-in-protected-instances: Ignore).
 * Standby instances are outside the desired capacity and serve no traffic.
 */
export function requiredHealthy(settings: RolloutSettings, group: GroupSnapshot): number {
  const ignoredProtected =
    settings.scaleInProtectedInstances === 'Ignore'
      ? group.instances.filter((i) => i.lifecycleState === 'InService' && i.protectedFromScaleIn).length
      : 0;
  return Math.max(0, group.desiredCapacity - ignoredProtected);
}

/** InService instances per launch template version: the timeline's bars. */
export function instancesByVersion(group: GroupSnapshot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const instance of group.instances.filter((item) => item.lifecycleState === 'InService')) {
    const version = instance.launchTemplateVersion ?? '?';
    counts[version] = (counts[version] ?? 0) + 1;
  }
  return counts;
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

/**
 * Reads the group and its targets and judges them; logs each of the group's targets whose state
 * changed, and each foreign target once, as ignored.
 */
export function createObserver(
  context: RolloutContext,
  asgName: string,
  targetGroupArns: string[],
  target: LaunchTarget,
) {
  const lastStates = new Map<string, string>();
  const ignored = new Set<string>();
  // Every instance the group has had during this rollout: an old one the refresh terminated is
  // still ours while its target drains.
  const known = new Set<string>();
  let latest: Observation | undefined;
  // Every read also feeds the fast verdict on the release (releaseVerdict.ts).
  const release = createReleaseVerdict(target);
  /** The target ids the last group read explained (as ours or as foreign). */
  let explainedIds = new Set<string>();

  function logChanges(targets: TargetState[], verdict: TargetVerdict): void {
    for (const foreign of verdict.foreign) {
      if (ignored.has(foreign.id)) continue;
      ignored.add(foreign.id);
      context.progress(`target ${foreign.id}: not an instance of ${asgName}, ignored (${foreign.state})`);
    }
    for (const own of targets.filter((item) => !verdict.foreign.includes(item))) {
      const state = own.reason ? `${own.state} (${own.reason})` : own.state;
      const key = `${own.targetGroupArn} ${own.id}:${own.port ?? ''}`;
      if (lastStates.get(key) !== state) {
        context.progress(`target ${own.id}${own.port ? `:${own.port}` : ''}: ${state}`);
        lastStates.set(key, state);
      }
    }
  }

  /** Remembers a group read's instances as ours, also once they have left the group. */
  function know(group: GroupSnapshot, targets?: TargetState[]): void {
    for (const instance of group.instances) known.add(instance.instanceId);
    context.timeline?.fleet(context.clock.now(), instancesByVersion(group));
    release.note(group, targets);
  }

  function judge(group: GroupSnapshot, targets: TargetState[]): Observation {
    know(group, targets);
    const verdict = evaluateTargets(targets, {
      targetGroupArns,
      groupInstanceIds: known,
      upToDateInstanceIds: upToDateInstanceIds(group, target),
      required: requiredHealthy(context.settings, group),
    });
    logChanges(targets, verdict);
    latest = { group, targets, verdict };
    return latest;
  }

  /** The group and its targets, read together. */
  async function observe(): Promise<Observation> {
    const [group, targets] = await Promise.all([
      describeGroup(context.clients, context.region, asgName),
      describeTargets(context.clients, targetGroupArns),
    ]);
    explainedIds = new Set(targets.map((item) => item.id));
    return judge(group, targets);
  }

  /**
   * Target health only, judged against `freshGroup` when the caller just read it, or else against
   * the last group read as long as the targets are the
   * instances that read explained: a target the group read has not seen (a new instance, one
   * that left) means the group changed, so it is read again before anything is judged.
   */
  async function observeTargets(freshGroup?: GroupSnapshot): Promise<Observation> {
    if (freshGroup) {
      const targets = await describeTargets(context.clients, targetGroupArns);
      explainedIds = new Set(targets.map((item) => item.id));
      return judge(freshGroup, targets);
    }
    if (!latest) return observe();
    const targets = await describeTargets(context.clients, targetGroupArns);
    const ids = new Set(targets.map((item) => item.id));
    if (sameIds(ids, explainedIds)) return judge(latest.group, targets);
    const group = await describeGroup(context.clients, context.region, asgName);
    explainedIds = ids;
    return judge(group, targets);
  }

  return { observe, observeTargets, know, latest: () => latest, release };
}

export type Observer = ReturnType<typeof createObserver>;
