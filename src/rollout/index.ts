import { InstanceRefreshInProgressFault } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws';
import type { RolloutSettings } from '../config';
import { DeployError } from '../errors';
import { formatDuration, type Clock, type Logger } from '../log';
import { poll, PollTimeoutError } from '../poll';
import type { RolloutContext } from './context';
import { describeGroup, isGroupOnVersion, resolveTargetVersion, type GroupSnapshot } from './group';
import {
  cancelRefresh,
  findActiveRefresh,
  rollbackRefresh,
  startRefresh,
  waitForRefreshEnd,
  type RefreshState,
} from './refresh';
import { loadBalancerUrl, smokeCheck } from './smoke';
import { describeNotHealthy, describeTargets, evaluateTargets, type TargetState } from './targets';

export interface RolloutDependencies {
  clients: AwsClients;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

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
  smokeUrl: string | undefined;
  seconds: number;
}

const REFRESH_FAILURES: Record<string, { reason: string; nextSteps: string }> = {
  Failed: {
    reason: 'refresh-failed',
    nextSteps:
      'Read the target lines above for the reason codes. The group may now run a mix of old and new instances: fix the release and deploy again, or deploy the previous image to roll back.',
  },
  Cancelled: {
    reason: 'refresh-cancelled',
    nextSteps:
      'Someone or something cancelled it (the console, or another deploy with on-refresh-in-progress: cancel). Replaced instances stay replaced; run the deploy again to finish.',
  },
  RollbackSuccessful: {
    reason: 'rolled-back',
    nextSteps:
      'The new version did not become healthy, and AWS put the previous version back: users are served by the previous release. Fix the release (see the target reason codes above) and deploy again.',
  },
  RollbackFailed: {
    reason: 'rollback-failed',
    nextSteps:
      'Urgent: the new version failed and so did the rollback. Check the group in the EC2 console, then deploy the last good image (workflow_dispatch with its digest).',
  },
};

function createContext(
  dependencies: RolloutDependencies,
  settings: RolloutSettings,
  region: string,
): RolloutContext {
  const { clock, log } = dependencies;
  const startedAt = clock.now();
  const deadline = startedAt + settings.waitTimeoutSeconds * 1000;
  return {
    ...dependencies,
    settings,
    region,
    progress: (line) => {
      log.info(`[${formatDuration(clock.now() - startedAt).padStart(6)}] ${line}`);
    },
    poll: (what, check) =>
      poll(check, {
        what,
        intervalMs: settings.pollIntervalSeconds * 1000,
        deadline,
        clock,
        ...(dependencies.signal ? { signal: dependencies.signal } : {}),
        onTransientError: (kind, message, nextInMs) => {
          log.warning(
            `AWS ${kind} error while waiting for ${what}: ${message}; retrying in ${formatDuration(nextInMs)}`,
          );
        },
      }),
  };
}

/** Logs each target whose state changed since the last call; remembers the last full list. */
function createTargetTracer(context: RolloutContext, targetGroupArns: string[]) {
  const lastStates = new Map<string, string>();
  let latest: TargetState[] = [];
  return {
    async trace(): Promise<TargetState[]> {
      latest = await describeTargets(context.clients, targetGroupArns);
      for (const target of latest) {
        const state = target.reason ? `${target.state} (${target.reason})` : target.state;
        const key = `${target.targetGroupArn} ${target.id}`;
        if (lastStates.get(key) !== state) {
          context.progress(`target ${target.id}: ${state}`);
          lastStates.set(key, state);
        }
      }
      return latest;
    },
    latest: () => latest,
  };
}

async function settleRefreshInProgress(
  context: RolloutContext,
  asgName: string,
  active: RefreshState,
): Promise<void> {
  const policy = context.settings.onRefreshInProgress;
  context.progress(
    `refresh ${active.id} is already ${active.status} on ${asgName} (${active.percentageComplete}% complete); on-refresh-in-progress: ${policy}`,
  );
  if (policy === 'fail') {
    throw new DeployError(
      'refresh-in-progress',
      `Instance refresh ${active.id} is already ${active.status} on ${asgName}; not starting a second rollout.`,
      'Wait for it to finish (or cancel it in the console), or run with on-refresh-in-progress: wait or cancel.',
    );
  }
  if (policy === 'cancel' && active.status !== 'Cancelling') {
    await cancelRefresh(context, asgName);
    context.progress(`asked AWS to cancel refresh ${active.id}; instances it already replaced stay replaced`);
  }
  const ended = await waitForRefreshEnd(context, asgName, active.id);
  context.progress(`earlier refresh ${active.id} ended ${ended.status}; starting this rollout`);
}

/**
 * Called when a wait runs out of time: prints every target that is not healthy, then does what
 * on-timeout says. A refresh still running is rolled back (or cancelled); one that already
 * finished is undone by a new refresh to the previous concrete version, which is not waited for.
 */
async function handleTimeout(
  context: RolloutContext,
  group: GroupSnapshot,
  targetVersion: number,
  refreshId: string | undefined,
  targets: TargetState[],
  timeout: PollTimeoutError,
): Promise<never> {
  const { log, settings } = context;
  log.error(
    `Timed out after ${formatDuration(settings.waitTimeoutSeconds * 1000)} waiting for ${timeout.what}.`,
  );
  const notHealthy = describeNotHealthy(targets.filter((target) => target.state !== 'healthy'));
  log.error(
    notHealthy.length > 0
      ? `Targets not healthy (${notHealthy.length} of ${targets.length}):\n  ${notHealthy.join('\n  ')}`
      : `All ${targets.length} registered targets are healthy, but fewer than the desired ${group.desiredCapacity} run version ${targetVersion}.`,
  );

  const active = refreshId ? await findActiveRefresh(context, group.name) : undefined;
  let action = 'left the group as it is (on-timeout: none)';
  if (settings.onTimeout !== 'none' && active) {
    const rolledBack = settings.onTimeout === 'rollback' && (await rollbackRefresh(context, group.name));
    if (!rolledBack) await cancelRefresh(context, group.name);
    action = rolledBack
      ? `started a rollback of refresh ${active.id} to version ${group.launchTemplateVersion}`
      : `cancelled refresh ${active.id}; instances it already replaced stay replaced`;
  } else if (settings.onTimeout === 'rollback' && refreshId && /^\d+$/.test(group.launchTemplateVersion)) {
    const undoId = await startRefresh(
      context,
      group.name,
      group.launchTemplateId,
      Number(group.launchTemplateVersion),
    );
    action = `started refresh ${undoId} back to version ${group.launchTemplateVersion} (not waited for)`;
  } else if (settings.onTimeout !== 'none') {
    action = 'nothing to undo: no refresh of ours is running';
  }
  context.progress(action);
  throw new DeployError(
    'timeout',
    `Rollout of ${group.name} to launch template version ${targetVersion} did not finish in time; ${action}.`,
    'Read the target lines above: the reason codes say why instances are not healthy. If they were only slow, raise wait-timeout-minutes.',
  );
}

async function waitForHealthyTargets(
  context: RolloutContext,
  asgName: string,
  targetGroupArns: string[],
  targetVersion: number,
  tracer: ReturnType<typeof createTargetTracer>,
): Promise<number> {
  let lastSummary = '';
  return context.poll('every ALB target to be healthy on the new version', async () => {
    const [group, targets] = await Promise.all([
      describeGroup(context.clients, context.region, asgName),
      tracer.trace(),
    ]);
    const upToDate = new Set(
      group.instances
        .filter(
          (instance) =>
            instance.lifecycleState === 'InService' &&
            instance.launchTemplateVersion === String(targetVersion),
        )
        .map((instance) => instance.instanceId),
    );
    const verdict = evaluateTargets(targets, targetGroupArns, group.desiredCapacity, upToDate);
    if (verdict.summary !== lastSummary) {
      context.progress(`targets: ${verdict.summary}`);
      lastSummary = verdict.summary;
    }
    return verdict.ready ? { done: true, value: verdict.healthy } : { done: false, state: verdict.summary };
  });
}

/**
 * Rolls the group onto a concrete launch template version with an instance refresh, then returns
 * only once every ALB target is healthy on it and the app answers its health URL.
 */
export async function runRollout(
  dependencies: RolloutDependencies,
  settings: RolloutSettings,
  region: string,
): Promise<RolloutResult> {
  const context = createContext(dependencies, settings, region);
  const { log, clock } = dependencies;
  const startedAt = clock.now();

  const { group, targetVersion, targetGroupArns } = await log.group(
    'Rollout: inspect the group',
    async () => {
      const snapshot = await describeGroup(context.clients, region, settings.asgName);
      const arns = settings.targetGroupArns.length > 0 ? settings.targetGroupArns : snapshot.targetGroupArns;
      if (arns.length === 0) {
        throw new DeployError(
          'no-target-groups',
          `Auto Scaling group ${snapshot.name} has no target groups, so there is no ALB health to wait for.`,
          'Attach the group to its target group (the bundled stack does), or pass target-group-arn.',
        );
      }
      const version = await resolveTargetVersion(
        context.clients,
        snapshot.launchTemplateId,
        settings.launchTemplateVersion,
      );
      const running = new Map<string, number>();
      for (const instance of snapshot.instances) {
        const key = `v${instance.launchTemplateVersion ?? '?'} ${instance.lifecycleState}`;
        running.set(key, (running.get(key) ?? 0) + 1);
      }
      const runningText =
        [...running.entries()].map(([key, count]) => `${count}x ${key}`).join(', ') || 'no instances';
      context.progress(
        `group ${snapshot.name}: desired ${snapshot.desiredCapacity}, launch template ${snapshot.launchTemplateId} version ${snapshot.launchTemplateVersion} (${runningText}); target version ${version}`,
      );
      return { group: snapshot, targetVersion: version, targetGroupArns: arns };
    },
  );

  const tracer = createTargetTracer(context, targetGroupArns);
  const withTimeoutHandling = async <T>(
    refreshId: string | undefined,
    wait: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await wait();
    } catch (error) {
      if (!(error instanceof PollTimeoutError)) throw error;
      return handleTimeout(context, group, targetVersion, refreshId, tracer.latest(), error);
    }
  };

  const refresh = await log.group('Rollout: instance refresh', async () => {
    const active = await findActiveRefresh(context, group.name);
    let current = group;
    if (active) {
      await withTimeoutHandling(undefined, () => settleRefreshInProgress(context, group.name, active));
      current = await describeGroup(context.clients, region, group.name);
    }
    if (!settings.forceRefresh && isGroupOnVersion(current, targetVersion)) {
      context.progress(
        `every instance already runs version ${targetVersion}; no refresh needed (force-refresh: false)`,
      );
      return { id: undefined, status: 'NotNeeded' };
    }

    let id: string;
    try {
      id = await startRefresh(context, group.name, group.launchTemplateId, targetVersion);
    } catch (error) {
      if (!(error instanceof InstanceRefreshInProgressFault)) throw error;
      throw new DeployError(
        'refresh-in-progress',
        `Another instance refresh started on ${group.name} while this one was being prepared: ${error.message}`,
        'Another deploy is rolling this group. Serialize deploys per environment (the reusable workflow uses a concurrency group), then run again.',
      );
    }
    context.progress(
      `started refresh ${id}: version ${current.launchTemplateVersion} -> ${targetVersion}, healthy ${settings.minHealthyPercentage}-${settings.maxHealthyPercentage}%, auto-rollback ${settings.autoRollback}`,
    );
    const ended = await withTimeoutHandling(id, () =>
      waitForRefreshEnd(context, group.name, id, async () => {
        await tracer.trace();
      }),
    );
    const failure = REFRESH_FAILURES[ended.status];
    if (failure) {
      const targets = await tracer.trace();
      const notHealthy = describeNotHealthy(targets.filter((target) => target.state !== 'healthy'));
      if (notHealthy.length > 0) log.error(`Targets not healthy:\n  ${notHealthy.join('\n  ')}`);
      const why = [ended.statusReason, ended.rollbackReason].filter(Boolean).join(' Rollback reason: ');
      throw new DeployError(
        failure.reason,
        `Instance refresh ${id} of ${group.name} ended ${ended.status}: ${why || 'AWS gave no reason'}`,
        failure.nextSteps,
      );
    }
    return { id, status: ended.status };
  });

  const healthyTargets = await log.group('Rollout: ALB target health', () =>
    withTimeoutHandling(refresh.id, () =>
      waitForHealthyTargets(context, group.name, targetGroupArns, targetVersion, tracer),
    ),
  );

  let smokeUrl: string | undefined;
  if (settings.smokeCheck) {
    smokeUrl = await log.group('Rollout: smoke check', async () => {
      const base = settings.appUrl ?? (await loadBalancerUrl(context, targetGroupArns[0] ?? ''));
      const url = `${base}${settings.smokePath}`;
      try {
        await smokeCheck(context, url);
      } catch (error) {
        if (!(error instanceof PollTimeoutError)) throw error;
        // Targets are healthy on the new version, so the release itself answers the ALB's checks:
        // a failing public URL points at DNS, listeners or the network, which a rollback would not fix.
        throw new DeployError(
          'smoke-failed',
          `Every target is healthy, but ${url} never answered 200 (last: ${error.lastState}).`,
          'Check the ALB listener rules, security group and DNS, or set app-url to the URL users reach.',
        );
      }
      return url;
    });
  }

  const seconds = Math.round((clock.now() - startedAt) / 1000);
  context.progress(
    `rollout done: ${healthyTargets} healthy targets on version ${targetVersion}, refresh ${refresh.status}, ${formatDuration(seconds * 1000)}`,
  );
  return {
    asgName: group.name,
    refreshId: refresh.id,
    refreshStatus: refresh.status,
    launchTemplateId: group.launchTemplateId,
    targetVersion,
    previousVersion: group.launchTemplateVersion,
    desiredCapacity: group.desiredCapacity,
    healthyTargets,
    smokeUrl,
    seconds,
  };
}
