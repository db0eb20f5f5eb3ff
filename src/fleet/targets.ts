import type { AwsClients } from '../aws';

export interface TargetState {
  targetGroupArn: string;
  id: string;
  port: number | undefined;
  state: string;
  reason: string | undefined;
  description: string | undefined;
}

/** What an unhealthy or stuck target's reason code usually means, and where to look first. */
const REASON_HINTS: Record<string, string> = {
  'Elb.RegistrationInProgress': 'still registering; the instance has not been health-checked yet',
  'Elb.InitialHealthChecking':
    'first health checks still running; give it the health check interval x threshold',
  'Target.ResponseCodeMismatch':
    'the app answered the health check with a non-200 code: is the health path right, and does it answer the instance IP as Host header (ALLOWED_HOSTS) without redirecting?',
  'Target.Timeout':
    'no answer within the health check timeout: is the container running and published on port 80, and does the instance security group admit the ALB?',
  'Target.FailedHealthChecks':
    'health checks failed (often connection refused): check the container started (`docker ps` through SSM) and its logs in CloudWatch Logs',
  'Elb.InternalError': 'the load balancer had an internal error; usually transient, retry the deploy',
  'Target.NotRegistered': 'not registered in the target group',
  'Target.NotInUse': "the target's Availability Zone is not enabled on the load balancer",
  'Target.InvalidState': 'the instance is stopped or terminated',
  'Target.IpUnusable': 'the target IP is in use by a load balancer node',
  'Target.DeregistrationInProgress': 'draining connections before deregistration',
  'Target.HealthCheckDisabled': 'health checks are disabled on the target group',
};

export function reasonHint(reason: string | undefined): string {
  return reason === undefined ? '' : (REASON_HINTS[reason] ?? '');
}

export async function describeTargets(
  clients: AwsClients,
  targetGroupArns: string[],
): Promise<TargetState[]> {
  // Loaded on first use, not at start: a run reaches its first AWS answer without ELB's SDK.
  const { DescribeTargetHealthCommand } = await import('./elbv2Commands');
  const perGroup = await Promise.all(
    targetGroupArns.map(async (targetGroupArn) => {
      const response = await clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      );
      return (response.TargetHealthDescriptions ?? []).map((description) => ({
        targetGroupArn,
        id: description.Target?.Id ?? 'unknown',
        port: description.Target?.Port,
        state: description.TargetHealth?.State ?? 'unknown',
        reason: description.TargetHealth?.Reason,
        description: description.TargetHealth?.Description,
      }));
    }),
  );
  return perGroup.flat();
}

export interface TargetVerdict {
  ready: boolean;
  /** Distinct up-to-date group instances healthy on every registration, fewest over all target groups. */
  healthy: number;
  /** e.g. "2 healthy, 1 initial (need 2 ...)": one log line that changes when anything changes. */
  summary: string;
  /** The group's own targets that are not healthy: the ones that explain a wait or a failure. */
  notHealthy: TargetState[];
  /** Targets of instances outside the group (shared target groups, hand-registered hosts). */
  foreign: TargetState[];
}

export interface TargetExpectation {
  targetGroupArns: string[];
  /** Every instance of the group, whatever its lifecycle state: only these decide. */
  groupInstanceIds: ReadonlySet<string>;
  /** In-service group instances on the target launch template version. */
  upToDateInstanceIds: ReadonlySet<string>;
  /** How many distinct up-to-date instances each target group needs healthy. */
  required: number;
}

/** Instances, in one target group, whose every registration (one per port) is healthy. */
function healthyInstances(targets: TargetState[], targetGroupArn: string): Set<string> {
  const healthy = new Set<string>();
  const failing = new Set<string>();
  for (const target of targets) {
    if (target.targetGroupArn !== targetGroupArn) continue;
    (target.state === 'healthy' ? healthy : failing).add(target.id);
  }
  for (const id of failing) healthy.delete(id);
  return healthy;
}

/**
 * Ready means: in every target group, at least `required` distinct instances of the group that run
 * the new version are healthy on every port they are registered on, and none of the group's own
 * targets is unhealthy. Only the group's instances decide: an unhealthy host someone else
 * registered must not fail (and roll back) a good release; an old instance still draining, or one
 * instance registered twice, must not make a half-finished rollout look done.
 */
export function evaluateTargets(targets: TargetState[], expectation: TargetExpectation): TargetVerdict {
  const { targetGroupArns, groupInstanceIds, upToDateInstanceIds, required } = expectation;
  const own = targets.filter((target) => groupInstanceIds.has(target.id));
  const foreign = targets.filter((target) => !groupInstanceIds.has(target.id));
  const healthyPerGroup = targetGroupArns.map(
    (arn) => [...healthyInstances(own, arn)].filter((id) => upToDateInstanceIds.has(id)).length,
  );
  const healthy = healthyPerGroup.length > 0 ? Math.min(...healthyPerGroup) : 0;
  const counts = new Map<string, number>();
  for (const target of own) counts.set(target.state, (counts.get(target.state) ?? 0) + 1);
  const countText = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  const foreignText = foreign.length > 0 ? `; ${foreign.length} not in the group, ignored` : '';
  return {
    ready: healthy >= required && !own.some((target) => target.state === 'unhealthy'),
    healthy,
    summary: `${countText || 'no targets'} (need ${required} healthy instances on the new version, have ${healthy})${foreignText}`,
    notHealthy: own.filter((target) => target.state !== 'healthy'),
    foreign,
  };
}

/** One line per target that is not healthy: id, state, AWS's reason code and description, and a hint. */
export function describeNotHealthy(targets: TargetState[]): string[] {
  return targets.map((target) => {
    const reason = target.reason ? ` ${target.reason}` : '';
    const description = target.description ? `: ${target.description}` : '';
    const hint = reasonHint(target.reason);
    return `${target.id}${target.port ? `:${target.port}` : ''} ${target.state}${reason}${description}${hint ? ` -> ${hint}` : ''}`;
  });
}
