/**
 * A release that passes its health checks and the smoke check but fails users: deployed under load
 * on the real home page, through the load balancer, so the stack's release alarms see it (the 5xx
 * share) while the refresh rolls and bakes, and AWS rolls it back. Shared by the demo and
 * bench/alarm-rollback.ts, which print the same figures.
 */
import type { EmulatedRegion } from './region';
import { startLoad, type LoadResult } from './loadGenerator';
import type { ActionRun } from './runAction';

export interface AlarmRollbackResult {
  run: ActionRun;
  load: LoadResult;
  /** Seconds from the first failed request to the last answer (good or failed) from the bad release. */
  secondsToPreviousRelease: number | undefined;
}

/** Deploys `image` (release `version`) while 3 keep-alive clients GET / through the load balancer. */
export async function deployFailingRelease(
  region: EmulatedRegion,
  version: string,
  deploy: () => Promise<ActionRun>,
): Promise<AlarmRollbackResult> {
  const state = await region.dataPlane();
  const [host, address] = Object.entries(state.loadBalancers)[0] ?? [];
  if (!host || !address) throw new Error('the data plane runs no load balancer');
  const load = startLoad({
    address,
    host,
    path: '/',
    concurrency: 3,
    maxRequests: 30_000,
    maxSeconds: 900,
    pauseMs: 20,
  });
  const run = await deploy();
  const result = await load.stop();
  const lastFromBadRelease = Math.max(result.lastFailureAt ?? 0, result.lastAnswerAt[version] ?? 0);
  return {
    run,
    load: result,
    secondsToPreviousRelease:
      result.firstFailureAt === undefined ? undefined : round(lastFromBadRelease - result.firstFailureAt),
  };
}

const round = (seconds: number): number => Math.round(seconds * 10) / 10;

/** The figures the demo and the bench print. */
export function alarmRollbackLines(
  { run, load, secondsToPreviousRelease }: AlarmRollbackResult,
  timeScale: number,
): string[] {
  return [
    `failure-reason: ${run.outputs['failure-reason'] ?? '(none)'}`,
    `requests to / during the rollout: ${load.requests}, failed: ${load.failed} (answers per release: ${JSON.stringify(load.byVersion)})`,
    secondsToPreviousRelease === undefined
      ? 'no request failed'
      : `first failed request to the fleet serving the previous release again: ${secondsToPreviousRelease} s real (${round(secondsToPreviousRelease * timeScale)} s of AWS time at time scale ${timeScale})`,
    `first failures: ${load.failures.join(' | ')}`,
  ];
}
