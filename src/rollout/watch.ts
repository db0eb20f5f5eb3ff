/**
 * The waits of a rollout, each asking AWS only what can change in its phase:
 * - the refresh this run started: DescribeInstanceRefreshes alone, rarely while the warmup makes
 *   success impossible, at the poll interval once it is possible; the group and its targets only
 *   when the refresh moves (an instance done, a rollback or cancel begun), the targets when its
 *   reason changes (so a failing target is logged with its reason code while it fails), and the
 *   group alone when the bound on success is reached and may have to be pushed out;
 * - target health after the refresh: DescribeTargetHealth, the group again only when the targets
 *   are not the instances the last group read explained.
 */
import type { RolloutContext } from './rolloutContext';
import { describeGroup, type GroupSnapshot } from '../fleet';
import type { Observer } from './observer';
import { nextCheckInMs, type SuccessBound } from './pacing';
import { createRefreshReader, isActive, isRollingForward, type RefreshState } from './refresh';

/** What, in a refresh's state, means instances are being launched, replaced or put back. */
function movement(state: RefreshState): string {
  return `${state.percentageComplete} ${state.instancesToUpdate} ${isRollingForward(state.status)}`;
}

/**
 * Waits for the refresh this run started to end and returns its final state, logging one line
 * whenever its status, progress or reason changes.
 */
export async function watchRefresh(
  context: RolloutContext,
  asgName: string,
  id: string,
  observer: Observer,
  bound: SuccessBound,
): Promise<RefreshState> {
  const { clock } = context;
  const intervalMs = context.settings.pollIntervalSeconds * 1000;
  const read = createRefreshReader(context, asgName, id);
  let lastMovement: string | undefined;
  let lastLine: string | undefined;
  let awaitingBound = bound.earliest() > clock.now();
  return context.poll(
    `instance refresh ${id} to finish`,
    async () => {
      const { state, line } = await read();
      if (!isActive(state.status)) return { done: true, value: state };
      const moved = lastMovement !== undefined && movement(state) !== lastMovement;
      // A new reason (an instance failing its health checks, say): the targets show which and why.
      const retold = lastLine !== undefined && line !== lastLine;
      lastMovement = movement(state);
      lastLine = line;
      const observedAt = clock.now();
      if (moved) {
        bound.note((await observer.observe()).group, observedAt);
      } else {
        let group: GroupSnapshot | undefined;
        if (awaitingBound && observedAt >= bound.earliest()) {
          // Only the group's instances can push the bound out; their targets have nothing to add.
          group = await describeGroup(context.clients, context.region, asgName);
          observer.know(group);
          bound.note(group, observedAt);
        }
        if (retold) await observer.observeTargets(group);
      }
      const wasAwaitingBound = awaitingBound;
      awaitingBound = bound.earliest() > clock.now();
      const justBecamePossible = wasAwaitingBound && !awaitingBound;
      return {
        done: false,
        state: line,
        nextInMs: nextCheckInMs(clock.now(), bound.earliest(), intervalMs, justBecamePossible),
      };
    },
    nextCheckInMs(clock.now(), bound.earliest(), intervalMs),
  );
}

/** Waits until the group's own instances are healthy on the new version in every target group. */
export async function waitForHealthyTargets(context: RolloutContext, observer: Observer): Promise<number> {
  let lastSummary = '';
  let first = true;
  return context.poll('every target of the group to be healthy on the new version', async () => {
    // The refresh just changed the group (its launch template, its instances): read it once.
    const { verdict } = first ? await observer.observe() : await observer.observeTargets();
    first = false;
    if (verdict.summary !== lastSummary) {
      context.progress(`targets: ${verdict.summary}`);
      lastSummary = verdict.summary;
    }
    return verdict.ready ? { done: true, value: verdict.healthy } : { done: false, state: verdict.summary };
  });
}
