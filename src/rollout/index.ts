import { InstanceRefreshInProgressFault } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws';
import { AWS_INSTANCE_WAIT_SECONDS, type RolloutSettings } from '../config';
import { DeployError, errorName } from '../errors';
import { formatDuration, type Logger } from '../log';
import type { Clock } from '../clock';
import { poll, PollTimeoutError } from '../poll';
import type { RolloutContext } from './context';
import {
  describeGroup,
  isGroupOnVersion,
  resolveTargetVersion,
  upToDateInstanceIds,
  type GroupSnapshot,
  type LaunchTarget,
} from './group';
import {
  cancelRefresh,
  describeRefresh,
  findActiveRefresh,
  isRollingForward,
  reasonNotToStop,
  rollbackRefresh,
  startRefresh,
  waitForRefreshEnd,
  type RefreshState,
} from './refresh';
import { loadBalancerUrl, smokeCheck, type SmokeResult } from './smoke';
import {
  describeNotHealthy,
  describeTargets,
  evaluateTargets,
  type TargetState,
  type TargetVerdict,
} from './targets';

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
  /** Undefined with smoke-check: false. */
  smoke: SmokeResult | undefined;
  seconds: number;
}

interface RefreshFailure {
  reason: string;
  nextSteps: string;
}

const REFRESH_FAILURES: Record<string, RefreshFailure> = {
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

/** Success is an allow-list of one: any other final status, or none, fails and is named. */
function refreshFailure(status: string): RefreshFailure | undefined {
  if (status === 'Successful') return undefined;
  return (
    REFRESH_FAILURES[status] ?? {
      reason: 'refresh-not-successful',
      nextSteps:
        'AWS reported a final status this action does not know as success. Check the refresh in the EC2 console (Auto Scaling groups -> Instance refresh) before deploying again.',
    }
  );
}

/** AWS's names for a session that ran out; GitHub's OIDC role sessions last 1 h by default. */
const EXPIRED_CREDENTIAL_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException']);
const ONE_HOUR_SECONDS = 3600;
const SMOKE_MIN_ANSWERS = 6;

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
    lastRefresh: undefined,
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

interface Observation {
  group: GroupSnapshot;
  targets: TargetState[];
  verdict: TargetVerdict;
}

/**
 * Reads the group and its targets together and judges them; logs each of the group's targets
 * whose state changed, and each foreign target once, as ignored.
 */
function createObserver(
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
  return {
    async observe(): Promise<Observation> {
      const [group, targets] = await Promise.all([
        describeGroup(context.clients, context.region, asgName),
        describeTargets(context.clients, targetGroupArns),
      ]);
      for (const instance of group.instances) known.add(instance.instanceId);
      const verdict = evaluateTargets(targets, {
        targetGroupArns,
        groupInstanceIds: known,
        upToDateInstanceIds: upToDateInstanceIds(group, target),
        required: requiredHealthy(context.settings, group),
      });
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
      latest = { group, targets, verdict };
      return latest;
    },
    latest: () => latest,
  };
}

/**
 * Instances that must end healthy on the new version: the desired capacity, less scale-in
 * protected instances the refresh was told to leave alone (scale-in-protected-instances: Ignore).
 * Standby instances are outside the desired capacity and serve no traffic.
 */
function requiredHealthy(settings: RolloutSettings, group: GroupSnapshot): number {
  const ignoredProtected =
    settings.scaleInProtectedInstances === 'Ignore'
      ? group.instances.filter((i) => i.lifecycleState === 'InService' && i.protectedFromScaleIn).length
      : 0;
  return Math.max(0, group.desiredCapacity - ignoredProtected);
}

type Observer = ReturnType<typeof createObserver>;

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

/** What a timeout may do: keep everything as it is (and why), or undo this run's refresh. */
async function decideOnTimeout(
  context: RolloutContext,
  group: GroupSnapshot,
  refreshId: string | undefined,
  observed: Observation | undefined,
): Promise<{ keep: string } | { undo: 'refresh' | 'new-refresh' }> {
  const { settings } = context;
  if (settings.onTimeout === 'none') return { keep: 'left the group as it is (on-timeout: none)' };
  if (!refreshId) return { keep: 'nothing to undo: this run started no refresh' };
  if (observed?.verdict.ready) {
    return {
      keep: `did not undo anything: the group’s own instances are healthy on the new version (${observed.verdict.summary})`,
    };
  }
  const ours = await describeRefresh(context, group.name, refreshId);
  context.lastRefresh = ours;
  if (isRollingForward(ours.status)) {
    const why = await reasonNotToStop(context, group.name, refreshId);
    return why ? { keep: `did not cancel or roll back: ${why}` } : { undo: 'refresh' };
  }
  if (ours.status !== 'Successful') {
    return {
      keep: `did not cancel or roll back refresh ${refreshId}: it is ${ours.status}${ours.status === 'RollbackInProgress' ? ' (AWS is rolling it back; cancelling would stop that rollback)' : ''}`,
    };
  }
  const other = await findActiveRefresh(context, group.name);
  if (other)
    return {
      keep: `did not start an undo refresh: refresh ${other.id} (${other.status}) is running, not ours`,
    };
  if (settings.onTimeout === 'rollback' && /^\d+$/.test(group.launchTemplateVersion))
    return { undo: 'new-refresh' };
  return { keep: 'nothing to undo: refresh of ours ended and on-timeout does not start a new one' };
}

/**
 * Called when a wait runs out of time: prints the group's targets that are not healthy and the
 * refresh's last status reason, then does what on-timeout says, but only to the refresh this run
 * started, only while it still rolls forward, and never to a release the group shows healthy.
 */
async function handleTimeout(
  context: RolloutContext,
  group: GroupSnapshot,
  target: LaunchTarget,
  refreshId: string | undefined,
  observer: Observer,
  timeout: PollTimeoutError,
): Promise<never> {
  const { log, settings } = context;
  log.error(
    `Timed out after ${formatDuration(settings.waitTimeoutSeconds * 1000)} waiting for ${timeout.what}.`,
  );
  const observed = await observer.observe().catch(() => observer.latest());
  if (observed) {
    const notHealthy = describeNotHealthy(observed.verdict.notHealthy);
    log.error(
      notHealthy.length > 0
        ? `Targets of ${group.name} not healthy (${notHealthy.length} of ${observed.targets.length - observed.verdict.foreign.length}):\n  ${notHealthy.join('\n  ')}`
        : `Every target of ${group.name} is healthy; ${observed.verdict.summary}.`,
    );
  }
  const decision = await decideOnTimeout(context, group, refreshId, observed);
  if (context.lastRefresh) {
    const last = context.lastRefresh;
    log.error(
      `Refresh ${last.id} last status: ${last.status}${last.statusReason ? `: ${last.statusReason}` : ''}`,
    );
  }
  let action: string;
  if ('keep' in decision) {
    action = decision.keep;
  } else if (decision.undo === 'refresh') {
    const rolledBack = settings.onTimeout === 'rollback' && (await rollbackRefresh(context, group.name));
    if (!rolledBack) await cancelRefresh(context, group.name);
    action = rolledBack
      ? `started a rollback of refresh ${refreshId ?? ''} to version ${group.launchTemplateVersion}`
      : `cancelled refresh ${refreshId ?? ''}; instances it already replaced stay replaced`;
  } else {
    const undoId = await startRefresh(
      context,
      group.name,
      group.launchTemplateId,
      Number(group.launchTemplateVersion),
    );
    action = `started refresh ${undoId} back to version ${group.launchTemplateVersion} (not waited for)`;
  }
  context.progress(action);
  throw new DeployError(
    'timeout',
    `Rollout of ${group.name} to launch template ${target.launchTemplateId} version ${target.version} did not finish in time; ${action}.`,
    'Read the target lines and the refresh status above: the reason codes say why instances are not healthy. If they were only slow, raise wait-timeout-minutes.',
  );
}

/** An expired session mid-wait: the refresh goes on without us, and the person must know which. */
function credentialsExpired(context: RolloutContext, asgName: string, error: unknown): DeployError {
  const last = context.lastRefresh;
  const refreshText = last
    ? `instance refresh ${last.id} (last seen ${last.status}${last.statusReason ? `: ${last.statusReason}` : ''})`
    : 'the rollout';
  const check = last
    ? `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${asgName} --instance-refresh-ids ${last.id}`
    : `aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${asgName}`;
  return new DeployError(
    'credentials-expired',
    `The AWS credentials expired (${errorName(error)}) while waiting for ${refreshText} of ${asgName}. The refresh may still be running: AWS carries on without this job, and nothing was cancelled or rolled back.`,
    `Check it with \`${check}\`. Then give the role session more time than wait-timeout-minutes (role-duration-seconds in aws-actions/configure-aws-credentials, within the role's MaxSessionDuration).`,
  );
}

async function waitForHealthyTargets(context: RolloutContext, observer: Observer): Promise<number> {
  let lastSummary = '';
  return context.poll('every target of the group to be healthy on the new version', async () => {
    const { verdict } = await observer.observe();
    if (verdict.summary !== lastSummary) {
      context.progress(`targets: ${verdict.summary}`);
      lastSummary = verdict.summary;
    }
    return verdict.ready ? { done: true, value: verdict.healthy } : { done: false, state: verdict.summary };
  });
}

async function inspectGroup(context: RolloutContext) {
  const { settings, clients, region } = context;
  const snapshot = await describeGroup(clients, region, settings.asgName);
  const arns = settings.targetGroupArns.length > 0 ? settings.targetGroupArns : snapshot.targetGroupArns;
  if (arns.length === 0) {
    throw new DeployError(
      'no-target-groups',
      `Auto Scaling group ${snapshot.name} has no target groups, so there is no ALB health to wait for.`,
      'Attach the group to its target group (the bundled stack does), or pass target-group-arn.',
    );
  }
  if (settings.autoRollback && !/^\d+$/.test(snapshot.launchTemplateVersion)) {
    throw new DeployError(
      'auto-rollback-unsupported',
      `Auto Scaling group ${snapshot.name} runs launch template ${snapshot.launchTemplateId} at ${snapshot.launchTemplateVersion}, and AWS cannot roll back a refresh of a group on $Latest or $Default, so auto-rollback: true cannot be honoured. Nothing was changed.`,
      'Point the group at a version number (the bundled stack does), or set auto-rollback: false to roll without AWS rollback.',
    );
  }
  const version = await resolveTargetVersion(
    clients,
    snapshot.launchTemplateId,
    settings.launchTemplateVersion,
  );
  const running = new Map<string, number>();
  for (const instance of snapshot.instances) {
    const key = `${instance.launchTemplateId ?? '?'} v${instance.launchTemplateVersion ?? '?'} ${instance.lifecycleState}`;
    running.set(key, (running.get(key) ?? 0) + 1);
  }
  const runningText =
    [...running.entries()].map(([key, count]) => `${count}x ${key}`).join(', ') || 'no instances';
  context.progress(
    `group ${snapshot.name}: desired ${snapshot.desiredCapacity}, launch template ${snapshot.launchTemplateId} version ${snapshot.launchTemplateVersion} (${runningText}); target version ${version}`,
  );
  announceSpecialInstances(context, snapshot);
  return {
    group: snapshot,
    target: { launchTemplateId: snapshot.launchTemplateId, version },
    targetGroupArns: arns,
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
  if (policy === 'cancel' && isRollingForward(active.status)) {
    await cancelRefresh(context, asgName);
    context.progress(`asked AWS to cancel refresh ${active.id}; instances it already replaced stay replaced`);
  } else if (policy === 'cancel') {
    context.progress(
      `not cancelling refresh ${active.id}: it is ${active.status}${active.status === 'RollbackInProgress' ? ', and cancelling would stop AWS’s rollback' : ''}; waiting for it to end instead`,
    );
  }
  const ended = await waitForRefreshEnd(context, asgName, active.id);
  context.progress(`earlier refresh ${active.id} ended ${ended.status}; starting this rollout`);
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
  const { log, clock } = dependencies;
  const startedAt = clock.now();
  if (settings.waitTimeoutSeconds > ONE_HOUR_SECONDS) {
    log.warning(
      `wait-timeout-minutes is ${settings.waitTimeoutSeconds / 60}, longer than the 1 h GitHub OIDC role sessions last by default: give configure-aws-credentials a role-duration-seconds of at least ${settings.waitTimeoutSeconds + 600}, or the credentials expire mid-wait.`,
    );
  }

  const { group, target, targetGroupArns } = await log.group('Rollout: inspect the group', () =>
    inspectGroup(context),
  );
  const observer = createObserver(context, group.name, targetGroupArns, target);
  const expired = (error: unknown) => EXPIRED_CREDENTIAL_ERRORS.has(errorName(error));
  const guarded = async <T>(refreshId: string | undefined, wait: () => Promise<T>): Promise<T> => {
    try {
      try {
        return await wait();
      } catch (error) {
        if (!(error instanceof PollTimeoutError)) throw error;
        return await handleTimeout(context, group, target, refreshId, observer, error);
      }
    } catch (error) {
      // Mid-wait or while deciding what to do about a timeout: either way, say which refresh runs on.
      if (expired(error)) throw credentialsExpired(context, group.name, error);
      throw error;
    }
  };

  const refresh = await log.group('Rollout: instance refresh', async () => {
    const active = await findActiveRefresh(context, group.name);
    let current = group;
    if (active) {
      await guarded(undefined, () => settleRefreshInProgress(context, group.name, active));
      current = await describeGroup(context.clients, region, group.name);
    }
    if (!settings.forceRefresh && isGroupOnVersion(current, target)) {
      context.progress(
        `every instance already runs launch template ${target.launchTemplateId} version ${target.version}; no refresh needed (force-refresh: false)`,
      );
      return { id: undefined, status: 'NotNeeded' };
    }

    let id: string;
    try {
      id = await startRefresh(context, group.name, target.launchTemplateId, target.version);
    } catch (error) {
      if (!(error instanceof InstanceRefreshInProgressFault)) throw error;
      throw new DeployError(
        'refresh-in-progress',
        `Another instance refresh started on ${group.name} while this one was being prepared: ${error.message}`,
        'Another deploy is rolling this group. Serialize deploys per environment (the reusable workflow uses a concurrency group), then run again.',
      );
    }
    context.progress(
      `started refresh ${id}: ${current.launchTemplateId} version ${current.launchTemplateVersion} -> ${target.launchTemplateId} version ${target.version}, healthy ${settings.minHealthyPercentage}-${settings.maxHealthyPercentage}%, auto-rollback ${settings.autoRollback}`,
    );
    const ended = await guarded(id, () =>
      waitForRefreshEnd(context, group.name, id, async () => {
        await observer.observe();
      }),
    );
    const failure = refreshFailure(ended.status);
    if (failure) {
      const observed = await observer.observe();
      const notHealthy = describeNotHealthy(observed.verdict.notHealthy);
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
    guarded(refresh.id, () => waitForHealthyTargets(context, observer)),
  );

  let smoke: SmokeResult | undefined;
  if (settings.smokeCheck) {
    smoke = await log.group('Rollout: smoke check', async () => {
      const base = settings.appUrl ?? (await loadBalancerUrl(context, targetGroupArns[0] ?? ''));
      // Enough answers for a round-robin load balancer to reach every target, old ones included.
      return smokeCheck(context, base, Math.max(SMOKE_MIN_ANSWERS, 3 * group.desiredCapacity));
    });
  }

  const seconds = Math.round((clock.now() - startedAt) / 1000);
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
