import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeployError, errorMessage } from '../errors';
import type { RolloutContext } from './context';

const REQUEST_TIMEOUT_MS = 5000;

/** http://<DNS name of the load balancer in front of the target group>, the URL users reach. */
export async function loadBalancerUrl(context: RolloutContext, targetGroupArn: string): Promise<string> {
  const groups = await context.clients.elbv2.send(
    new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }),
  );
  const loadBalancerArn = groups.TargetGroups?.[0]?.LoadBalancerArns?.[0];
  const balancers = loadBalancerArn
    ? await context.clients.elbv2.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }),
      )
    : undefined;
  const dnsName = balancers?.LoadBalancers?.[0]?.DNSName;
  if (!dnsName) {
    throw new DeployError(
      'no-load-balancer',
      `Target group ${targetGroupArn} is not attached to a load balancer, so there is no URL to smoke-check.`,
      'Attach it to a listener (the bundled stack does), set app-url, or set smoke-check: false.',
    );
  }
  return `http://${dnsName}`;
}

async function probe(context: RolloutContext, url: string): Promise<string> {
  try {
    const response = await context.fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.body?.cancel();
    return `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return `no answer (${errorMessage(cause ?? error)})`;
  }
}

/** GETs the health URL until it answers 200; one log line whenever the answer changes. */
export async function smokeCheck(context: RolloutContext, url: string): Promise<number> {
  let last = '';
  return context.poll(`GET ${url} to answer 200`, async () => {
    const outcome = await probe(context, url);
    if (outcome !== last) {
      context.progress(`GET ${url} -> ${outcome}`);
      last = outcome;
    }
    return outcome === 'HTTP 200' ? { done: true, value: 200 } : { done: false, state: outcome };
  });
}
