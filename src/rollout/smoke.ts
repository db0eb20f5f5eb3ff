import { describeCut, readBoundedBody, type BodyLimits, type BoundedBody } from '../boundedBody';
import { DeployError, errorMessage } from '../errors';
import { checkPage } from '../pageCheck';
import { PollTimeoutError } from '../poll';
import type { RolloutContext } from './rolloutContext';

const REQUEST_TIMEOUT_MS = 5000;
/**
 * A health answer is a few dozen bytes of JSON; the app page's body is not read at all. Whatever
 * an answer sends beyond this, or after the request's time, is never read into memory.
 */
export const HEALTH_BODY_LIMITS: BodyLimits = { maxBytes: 64 * 1024, timeoutMs: REQUEST_TIMEOUT_MS };
/** Tries per request when nothing answers at all (a reset connection), before the verdict counts it. */
const ATTEMPTS_WITHOUT_ANSWER = 3;

export interface SmokeResult {
  /** The health URL that was checked. */
  url: string;
  /** The commit every sampled answer reported. */
  commit: string;
  /** How many consecutive answers reported it. */
  answers: number;
  /** The app page requested with the public Host, and the status it answered. */
  appUrl: string;
  appStatus: number;
}

/**
 * The URL users reach: https://<DNS name of the load balancer> when it has an HTTPS listener (the
 * stack has a certificate, and port 80 only redirects), http:// otherwise.
 */
export async function loadBalancerUrl(context: RolloutContext, targetGroupArn: string): Promise<string> {
  const { elbv2 } = context.clients;
  const { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } =
    await import('./elbv2Commands');
  const groups = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
  const loadBalancerArn = groups.TargetGroups?.[0]?.LoadBalancerArns?.[0];
  const balancers = loadBalancerArn
    ? await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }))
    : undefined;
  const dnsName = balancers?.LoadBalancers?.[0]?.DNSName;
  if (!loadBalancerArn || !dnsName) {
    throw new DeployError(
      'no-load-balancer',
      `Target group ${targetGroupArn} is not attached to a load balancer, so there is no URL to smoke-check.`,
      'Attach it to a listener (the bundled stack does), set app-url, or set smoke-check: false.',
    );
  }
  const listeners = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
  const https = (listeners.Listeners ?? []).some((listener) => listener.Protocol === 'HTTPS');
  return `${https ? 'https' : 'http'}://${dnsName}`;
}

interface Answer {
  status: number;
  body: BoundedBody;
  location: string | null;
}

type Outcome = { answer: Answer } | { failure: string };

async function request(context: RolloutContext, url: string): Promise<Outcome> {
  let failure = '';
  for (let attempt = 1; attempt <= ATTEMPTS_WITHOUT_ANSWER; attempt++) {
    try {
      const response = await context.fetch(url, {
        redirect: 'manual',
        headers: { 'cache-control': 'no-cache' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await readBoundedBody(response, HEALTH_BODY_LIMITS);
      return { answer: { status: response.status, body, location: response.headers.get('location') } };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      failure = `no answer (${errorMessage(cause ?? error)})`;
    }
  }
  return { failure };
}

function describeOutcome(outcome: Outcome): string {
  if ('failure' in outcome) return outcome.failure;
  const { status, location } = outcome.answer;
  return `HTTP ${status}${location ? ` -> ${location}` : ''}`;
}

/** The commit and version a health answer reports (the app's /health/ JSON), if it reports them. */
export function releaseOf(body: string): { commit: string | undefined; version: string | undefined } {
  try {
    const parsed = JSON.parse(body) as { commit?: unknown; version?: unknown };
    return {
      commit: typeof parsed.commit === 'string' ? parsed.commit : undefined,
      version: typeof parsed.version === 'string' ? parsed.version : undefined,
    };
  } catch {
    return { commit: undefined, version: undefined };
  }
}

/** Full and abbreviated SHAs name the same commit when one is a prefix of the other (7+ digits). */
export function sameCommit(reported: string, expected: string): boolean {
  const a = reported.toLowerCase();
  const b = expected.toLowerCase();
  return (
    a === b ||
    (/^[0-9a-f]{7,40}$/.test(a) && /^[0-9a-f]{7,40}$/.test(b) && (a.startsWith(b) || b.startsWith(a)))
  );
}

/** Waits until the health URL answers 200 at all: DNS, listener and security groups work. */
async function waitUntilReachable(context: RolloutContext, url: string): Promise<void> {
  let last = '';
  try {
    await context.poll(`GET ${url} to answer 200`, async () => {
      const outcome = describeOutcome(await request(context, url));
      if (outcome !== last) {
        context.progress(`GET ${url} -> ${outcome}`);
        last = outcome;
      }
      return outcome === 'HTTP 200' ? { done: true, value: undefined } : { done: false, state: outcome };
    });
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
}

/** The health answer's text, or a failure that says the answer was cut and why (never "no commit"). */
function readableBody(url: string, body: BoundedBody): string {
  if (body.cut === undefined) return body.text;
  throw new DeployError(
    'smoke-answer-cut',
    `${url} answered 200 with a health answer ${describeCut(body.cut, HEALTH_BODY_LIMITS)}, so it was not read further and the commit it reports is unknown.`,
    'The health path must answer small JSON quickly ({"version", "commit"}, as the bundled app does): check smoke-path names the health endpoint and that nothing in front of the app (a proxy, an error page) answers instead.',
  );
}

/**
 * Several answers in a row through the load balancer must all report the deployed commit: one
 * old instance still in rotation, or a stale cache in front, shows up as a different commit.
 * Without a known commit, the answers must agree on one.
 */
async function sampleRelease(context: RolloutContext, url: string, samples: number): Promise<string> {
  const expected = context.settings.expectedCommit;
  const seen = new Map<string, number>();
  let agreed = expected;
  for (let i = 1; i <= samples; i++) {
    const outcome = await request(context, url);
    if ('failure' in outcome || outcome.answer.status !== 200) {
      throw new DeployError(
        'smoke-failed',
        `${url} answered 200, then answer ${i} of ${samples} was ${describeOutcome(outcome)}.`,
        'An instance behind the load balancer fails requests: read the target lines above and the app log in CloudWatch Logs.',
      );
    }
    const body = readableBody(url, outcome.answer.body);
    const { commit, version } = releaseOf(body);
    if (commit === undefined || commit === '' || commit === 'unknown') {
      // The answer's own words go to the log only: a failure message reaches comments and summaries.
      context.progress(`GET ${url} -> HTTP 200 without a commit: ${JSON.stringify(body.slice(0, 200))}`);
      throw new DeployError(
        'smoke-no-commit',
        `${url} answered 200 without the commit it was built from (its answer is in the log above), so nothing proves it serves this release.`,
        'Report the build commit in the health answer: the bundled app sends {"version", "commit"} from APP_VERSION / APP_COMMIT, which the image gets from the REVISION build argument this action passes.',
      );
    }
    const key = `${commit}${version ? ` (version ${version})` : ''}`;
    if (!seen.has(key)) context.progress(`GET ${url} -> HTTP 200, commit ${key}`);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    agreed ??= commit;
    if (!sameCommit(commit, agreed)) {
      const tally = [...seen.entries()].map(([name, count]) => `${count}x ${name}`).join(', ');
      throw new DeployError(
        'smoke-wrong-release',
        `${url} does not serve only ${expected ? `the deployed commit ${expected}` : `one release`}: ${i} answers gave ${tally}.`,
        'An instance on another release is still in rotation (or a cache or a second target group answers): read the target lines above, and check the listener rules forward only to this group.',
      );
    }
  }
  return agreed ?? '';
}

/**
 * A real page of the app, with the public Host, following same-site redirects (the shared page
 * check): catches ALLOWED_HOSTS, HTTPS-redirect and off-site redirect mistakes, each with its fix.
 */
async function checkAppPage(context: RolloutContext, url: string): Promise<number> {
  const result = await checkPage(
    new URL(url),
    async (next) => {
      const outcome = await request(context, next.href);
      if ('failure' in outcome) throw new Error(outcome.failure);
      return { status: outcome.answer.status, location: outcome.answer.location ?? undefined };
    },
    (next, answer) => {
      context.progress(
        `GET ${next.href} -> HTTP ${answer.status}${answer.location ? ` -> ${answer.location}` : ''}`,
      );
    },
  );
  if ('passed' in result) return result.passed.status;
  throw new DeployError(
    'smoke-app-failed',
    `The health answers prove the release, but the app page ${result.failed.seen}, not 2xx.`,
    result.failed.hint,
  );
}

/** Proves the public URL serves this release: reachable, the deployed commit, a working page. */
export async function smokeCheck(
  context: RolloutContext,
  base: string,
  samples: number,
): Promise<SmokeResult> {
  const url = `${base}${context.settings.smokePath}`;
  await waitUntilReachable(context, url);
  const commit = await sampleRelease(context, url, samples);
  context.progress(`${samples} answers in a row report commit ${commit}`);
  const appUrl = `${base}${context.settings.smokeAppPath}`;
  const appStatus = await checkAppPage(context, appUrl);
  return { url, commit, answers: samples, appUrl, appStatus };
}
