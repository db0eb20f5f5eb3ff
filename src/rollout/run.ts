import type { RolloutSettings } from './settings';
import { DeployError } from '../errors';
import { formatDuration } from '../log';
import type { RolloutTimeline } from '../timeline';
import { createContext, type RolloutContext, type RolloutDependencies } from './rolloutContext';
import { inspectGroup, type InspectedGroup } from './inspect';
import { createObserver } from './observer';
import { failAfterLiveRelease, type FinishedRefresh } from './releaseLive';
import { rollRefresh } from './rollRefresh';
import { loadBalancerUrl, smokeCheck, type SmokeResult } from './smoke';
import { createWaitGuard } from './timeout';
import { waitForHealthyTargets } from './watch';

export interface RolloutResult {
  asgName: string;
  /** Undefined when the group already ran the target version and no refresh was needed. */
  refreshId: string | undefined;
  refreshStatus: string;
  launchTemplateId: string;
  targetVersion: number;
  previousVersion: string;
  desiredCapacity: number;
  healthyTargets: number;
  /** Undefined with smoke-check: false. */
  smoke: SmokeResult | undefined;
  seconds: number;
  /** Undefined when no refresh was started. */
  timeline?: RolloutTimeline | undefined;
}

const ONE_HOUR_SECONDS = 3600;
const SMOKE_MIN_ANSWERS = 6;

/** GitHub's OIDC role sessions last 1 h by default: a longer wait needs a longer session. */
function warnAboutLongWait(context: RolloutContext): void {
  const { waitTimeoutSeconds } = context.settings;
  if (waitTimeoutSeconds <= ONE_HOUR_SECONDS) return;
  context.log.warning(
    `wait-timeout-minutes is ${waitTimeoutSeconds / 60}, longer than the 1 h GitHub OIDC role sessions last by default: give configure-aws-credentials a role-duration-seconds of at least ${waitTimeoutSeconds + 600}, or the credentials expire mid-wait.`,
  );
}

/**
 * Proves the public URL serves this release, unless smoke-check: false. The refresh has succeeded
 * by now, so a failure says the release is live (or rolls it back, if asked).
 */
async function smokeCheckRelease(
  context: RolloutContext,
  inspected: InspectedGroup,
  refresh: FinishedRefresh,
): Promise<SmokeResult | undefined> {
  if (!context.settings.smokeCheck) return undefined;
  const { group, targetGroupArns } = inspected;
  try {
    return await context.log.group('Rollout: smoke check', async () => {
      const base = context.settings.appUrl ?? (await loadBalancerUrl(context, targetGroupArns[0] ?? ''));
      // Enough answers for a round-robin load balancer to reach every target, old ones included.
      return smokeCheck(context, base, Math.max(SMOKE_MIN_ANSWERS, 3 * group.desiredCapacity));
    });
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    throw await context.log.group('Rollout: the release is live', () =>
      failAfterLiveRelease(context, inspected, refresh, error),
    );
  }
}

/**
 * Rolls the group onto a concrete launch template version with an instance refresh, then returns
 * only once the group's own instances are healthy on it in every target group and the public URL
 * serves this release.
 */
export async function runRollout(
  dependencies: RolloutDependencies,
  settings: RolloutSettings,
  region: string,
): Promise<RolloutResult> {
  const context = createContext(dependencies, settings, region);
  try {
    return await rollAndCheck(context);
  } catch (error) {
    // The summary draws how far the rollout got, whatever failed it.
    if (error instanceof DeployError) error.timeline ??= context.timeline?.snapshot();
    throw error;
  }
}

/** The refresh, then every target healthy on the new version; a failure names the instances seen failing. */
async function rollToHealthyTargets(
  context: RolloutContext,
  inspected: InspectedGroup,
  observer: ReturnType<typeof createObserver>,
  guarded: ReturnType<typeof createWaitGuard>,
): Promise<{ refresh: FinishedRefresh; healthyTargets: number }> {
  try {
    const refresh = await context.log.group('Rollout: instance refresh', () =>
      rollRefresh(context, inspected, observer, guarded),
    );
    const healthyTargets = await context.log.group('Rollout: ALB target health', () =>
      guarded(refresh.id, () => waitForHealthyTargets(context, observer)),
    );
    return { refresh, healthyTargets };
  } catch (error) {
    // Whose app log a failure shows: what this run saw fail, not what AWS's wording names.
    if (error instanceof DeployError) error.failingInstanceIds = observer.release.failedInstanceIds();
    throw error;
  }
}

async function rollAndCheck(context: RolloutContext): Promise<RolloutResult> {
  const startedAt = context.clock.now();
  warnAboutLongWait(context);
  const inspected = await context.log.group('Rollout: inspect the group', () => inspectGroup(context));
  const { group, target, targetGroupArns } = inspected;
  const observer = createObserver(context, group.name, targetGroupArns, target);
  // The instances the refresh replaces stay ours while their targets drain.
  observer.know(group);
  const guarded = createWaitGuard(context, group, target, observer);

  const { refresh, healthyTargets } = await rollToHealthyTargets(context, inspected, observer, guarded);
  const smoke = await smokeCheckRelease(context, inspected, refresh);

  const seconds = Math.round((context.clock.now() - startedAt) / 1000);
  context.progress(
    `rollout done: ${healthyTargets} healthy instances on version ${target.version}, refresh ${refresh.status}, ${formatDuration(seconds * 1000)}`,
  );
  return {
    asgName: group.name,
    refreshId: refresh.id,
    refreshStatus: refresh.status,
    launchTemplateId: group.launchTemplateId,
    targetVersion: target.version,
    previousVersion: group.launchTemplateVersion,
    desiredCapacity: group.desiredCapacity,
    healthyTargets,
    smoke,
    seconds,
    timeline: context.timeline?.snapshot(),
  };
}
