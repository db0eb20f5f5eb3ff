/**
 * When to ask AWS again while a refresh runs. Pure: the watch (watch.ts) feeds it what it saw.
 *
 * A refresh can only end Successful once enough instances on the new version have been InService
 * for the refresh's warmup (AWS counts an instance as updated when it is healthy and its warmup,
 * timed from InService, has passed). Until then nothing this action waits for can happen, so it
 * checks on the refresh only now and then (a failure or a cancel can still happen); from then on
 * it checks at the poll interval, the bound on how late it notices the end.
 */
import type { RolloutSettings } from './settings';
import { runsTarget, type GroupSnapshot, type LaunchTarget } from '../fleet';

/** While success is impossible, checks are this many poll intervals apart (failures, cancels). */
export const QUIET_INTERVAL_FACTOR = 3;

/**
 * The warmup the refresh applies, as AWS falls back: the refresh's InstanceWarmup, else the
 * group's DefaultInstanceWarmup, else its health check grace period.
 */
export function refreshWarmupSeconds(settings: RolloutSettings, group: GroupSnapshot): number {
  return settings.instanceWarmupSeconds ?? group.defaultInstanceWarmup ?? group.healthCheckGracePeriod ?? 0;
}

export interface SuccessBoundOptions {
  target: LaunchTarget;
  warmupMs: number;
  /** How many instances on the new version the group needs (desired, less ignored protected ones). */
  required(group: GroupSnapshot): number;
}

/**
 * Tracks the earliest moment the refresh could be Successful, from observations of the group.
 * Conservative on purpose: an instance's InService moment is only known to lie after the last
 * observation that saw it not InService (or not at all), so that observation's start is used.
 */
export function createSuccessBound(options: SuccessBoundOptions) {
  const { target, warmupMs } = options;
  /** Instance id -> the latest time it was known not to be InService yet. */
  const notInServiceAt = new Map<string, number>();
  /** Instances already InService on the target before the refresh: ready, unless it replaces them. */
  const readyBefore = new Set<string>();
  let lastObservedAt = Number.NEGATIVE_INFINITY;
  let earliest = Number.NEGATIVE_INFINITY;

  function note(group: GroupSnapshot, observedAt: number): void {
    const readyBounds: number[] = [];
    for (const instance of group.instances) {
      const id = instance.instanceId;
      if (instance.lifecycleState !== 'InService') {
        notInServiceAt.set(id, observedAt);
        continue;
      }
      if (!runsTarget(instance, target)) continue;
      if (readyBefore.has(id)) {
        readyBounds.push(Number.NEGATIVE_INFINITY);
        continue;
      }
      if (!notInServiceAt.has(id)) notInServiceAt.set(id, lastObservedAt);
      readyBounds.push((notInServiceAt.get(id) ?? lastObservedAt) + warmupMs);
    }
    readyBounds.sort((a, b) => a - b);
    const required = options.required(group);
    earliest =
      required === 0
        ? Number.NEGATIVE_INFINITY
        : // Fewer ready candidates than required: one more must still come InService after now.
          (readyBounds[required - 1] ?? observedAt + warmupMs);
    lastObservedAt = observedAt;
  }

  return {
    /**
     * The group just before StartInstanceRefresh: instances the refresh will launch do not exist
     * yet. With `replacesMatching` (force-refresh), instances already on the target are replaced
     * too, so they do not count as ready.
     */
    start(group: GroupSnapshot, startedAt: number, replacesMatching: boolean): void {
      for (const instance of group.instances) {
        if (!replacesMatching && instance.lifecycleState === 'InService' && runsTarget(instance, target)) {
          readyBefore.add(instance.instanceId);
        } else {
          // Replaced, or not in service: whatever serves on the target comes InService later.
          notInServiceAt.set(instance.instanceId, startedAt);
        }
      }
      lastObservedAt = startedAt;
      note(group, startedAt);
    },
    note,
    earliest: () => earliest,
  };
}

export type SuccessBound = ReturnType<typeof createSuccessBound>;

/**
 * Until success is possible: quiet checks, landing on the moment it becomes possible. Then every
 * poll interval, except that the first check after that moment comes at half the interval:
 * success is likeliest right then (an app that is healthy before its warmup ends).
 */
export function nextCheckInMs(
  now: number,
  earliestSuccess: number,
  pollIntervalMs: number,
  justBecamePossible = false,
): number {
  const untilPossible = earliestSuccess - now;
  if (untilPossible > 0) return Math.min(untilPossible, pollIntervalMs * QUIET_INTERVAL_FACTOR);
  return justBecamePossible ? pollIntervalMs / 2 : pollIntervalMs;
}
