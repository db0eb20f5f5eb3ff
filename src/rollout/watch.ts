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
import type { ReleaseVerdict } from './releaseVerdict';

/** What, in a refresh's state, means instances are being launched, replaced or put back. */
function movement(state: RefreshState): string {
  return `${state.percentageComplete} ${state.instancesToUpdate} ${isRollingForward(state.status)}`;
}

/**
 * While the refresh rolls forward and its success has been possible for VERDICT_READ_DELAY_MS
 * without coming, the group and its targets are read every VERDICT_READ_INTERVAL_MS, so the fast
 * verdict (releaseVerdict.ts) sees AWS take failing instances out whatever AWS's StatusReason says.
 * The delay is the bundled stack's health check grace period (120 s): AWS marks an instance
 * Unhealthy only after its grace period, so earlier reads would rarely find a failure, and a slow
 * but healthy app (success within two minutes of being possible) pays nothing for the verdict.
 */
export const VERDICT_READ_DELAY_MS = 120_000;
export const VERDICT_READ_INTERVAL_MS = 60_000;

/** Called once when the release is judged failing; the watch then goes on until the refresh ends. */
export type OnReleaseVerdict = (verdict: ReleaseVerdict) => Promise<void>;

/**
 * Waits for the refresh this run started to end and returns its final state, logging one line
 * whenever its status, progress or reason changes. When the release is judged failing while the
 * refresh rolls forward, `onVerdict` is called once (it rolls the refresh back) and the watch
 * waits for what follows to end.
 */
export async function watchRefresh(
  context: RolloutContext,
  asgName: string,
  id: string,
  observer: Observer,
  bound: SuccessBound,
  onVerdict: OnReleaseVerdict,
): Promise<RefreshState> {
  const { clock } = context;
  const intervalMs = context.settings.pollIntervalSeconds * 1000;
  const read = createRefreshReader(context, asgName, id);
  let lastMovement: string | undefined;
  let lastLine: string | undefined;
  let awaitingBound = bound.earliest() > clock.now();
  let lastGroupReadAt = clock.now();
  let judged = false;
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
      const verdictReadDue =
        isRollingForward(state.status) &&
        observedAt >= bound.earliest() + VERDICT_READ_DELAY_MS &&
        observedAt - lastGroupReadAt >= VERDICT_READ_INTERVAL_MS;
      if (moved || verdictReadDue) {
        bound.note((await observer.observe()).group, observedAt);
        lastGroupReadAt = observedAt;
      } else {
        let group: GroupSnapshot | undefined;
        if (awaitingBound && observedAt >= bound.earliest()) {
          // Only the group's instances can push the bound out; their targets have nothing to add.
          group = await describeGroup(context.clients, context.region, asgName);
          lastGroupReadAt = observedAt;
          observer.know(group);
          bound.note(group, observedAt);
        }
        if (retold) await observer.observeTargets(group);
      }
      const verdict = judged || !isRollingForward(state.status) ? undefined : observer.release.verdict();
      if (verdict) {
        judged = true;
        await onVerdict(verdict);
      }
      const wasAwaitingBound = awaitingBound;
      awaitingBound = bound.earliest() > clock.now();
      const justBecamePossible = wasAwaitingBound && !awaitingBound;
      return {
        done: false,
        state: line,
        nextInMs: verdict
          ? intervalMs
          : nextCheckInMs(clock.now(), bound.earliest(), intervalMs, justBecamePossible),
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
