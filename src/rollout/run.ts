import type { RolloutSettings } from './settings';
import { DeployError } from '../errors';
import { formatDuration } from '../log';
import { createContext, type RolloutContext, type RolloutDependencies } from './rolloutContext';
import { inspectGroup, type InspectedGroup } from './inspect';
import { createObserver } from './observer';
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

/** Proves the public URL serves this release, unless smoke-check: false. */
async function smokeCheckRelease(
  context: RolloutContext,
  { group, targetGroupArns }: InspectedGroup,
): Promise<SmokeResult | undefined> {
  if (!context.settings.smokeCheck) return undefined;
  return context.log.group('Rollout: smoke check', async () => {
    const base = context.settings.appUrl ?? (await loadBalancerUrl(context, targetGroupArns[0] ?? ''));
    // Enough answers for a round-robin load balancer to reach every target, old ones included.
    return smokeCheck(context, base, Math.max(SMOKE_MIN_ANSWERS, 3 * group.desiredCapacity));
  });
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
  const startedAt = context.clock.now();
  warnAboutLongWait(context);
  const inspected = await context.log.group('Rollout: inspect the group', () => inspectGroup(context));
  const { group, target, targetGroupArns } = inspected;
  const observer = createObserver(context, group.name, targetGroupArns, target);
  // The instances the refresh replaces stay ours while their targets drain.
  observer.know(group);
  const guarded = createWaitGuard(context, group, target, observer);

  let refresh: Awaited<ReturnType<typeof rollRefresh>>;
  let healthyTargets: number;
  try {
    refresh = await context.log.group('Rollout: instance refresh', () =>
      rollRefresh(context, inspected, observer, guarded),
    );
    healthyTargets = await context.log.group('Rollout: ALB target health', () =>
      guarded(refresh.id, () => waitForHealthyTargets(context, observer)),
    );
  } catch (error) {
    // Whose app log a failure shows: what this run saw fail, not what AWS's wording names.
    if (error instanceof DeployError) error.failingInstanceIds = observer.release.failedInstanceIds();
    throw error;
  }
  const smoke = await smokeCheckRelease(context, inspected);

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
  };
}
