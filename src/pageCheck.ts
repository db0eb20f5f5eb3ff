/**
 * The page check, shared by the preflight (the container on 127.0.0.1) and the rollout's smoke
 * check (the public URL): a real page of the app must answer 2xx, following redirects only while
 * they stay on the same site (scheme, host and port), a bounded number of times. Pure apart from
 * the `get` each caller hands in; every failure names its cause and the hint for that cause.
 */
import { errorMessage } from './errors';

/** Same-site redirects followed before the check gives up (a loop, or a long chain). */
export const MAX_PAGE_REDIRECTS = 5;

/** What the page check needs of one answer; the body is never needed. */
export interface PageAnswer {
  status: number;
  location: string | undefined;
}

export type PageFailureCause =
  | 'no-answer'
  | 'host-rejected'
  | 'status'
  | 'redirect-without-location'
  | 'to-https'
  | 'off-site'
  | 'too-many-redirects';

export interface PageFailure {
  cause: PageFailureCause;
  /** What was seen, on one line: the chain of URLs and the last answer. */
  seen: string;
  /** The fix for this cause, not for page failures in general. */
  hint: string;
}

export type PageCheckResult =
  { passed: { url: string; status: number; chain: string[] } } | { failed: PageFailure };

/** One step: pass, follow a same-site Location, or fail with its cause. */
export type PageStep =
  { pass: true } | { follow: URL } | { fail: Omit<PageFailure, 'seen'> & { why: string } };

const HINTS: Record<PageFailureCause, (url: URL) => string> = {
  'no-answer': () =>
    'Nothing answered the page request: read the app log for a crash or a worker timeout on that request.',
  'host-rejected': (url) =>
    `Django answers 400 to a Host it does not allow: the app must read ALLOWED_HOSTS from DJANGO_ALLOWED_HOSTS, and that must include ${url.hostname} (the stack's app_domain).`,
  status: () =>
    'Point smoke-app-path at a page that answers 2xx without logging in (or fix that page): read the app log for the failing request.',
  'redirect-without-location': () =>
    'The app answered a redirect without a usable Location header: fix the view, or point smoke-app-path at the page it should reach.',
  'to-https': () =>
    'The app (or the load balancer) sends plain HTTP to HTTPS. Behind the load balancer, which terminates TLS, Django must trust its X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); when the site itself serves HTTPS, set app-url to its https:// URL.',
  'off-site': (url) =>
    `The check follows redirects only on ${url.origin}: point smoke-app-path at a page this site serves itself, or fix the redirect (a hard-coded domain, a login on another site).`,
  'too-many-redirects': () =>
    `More than ${MAX_PAGE_REDIRECTS} redirects: a loop behind the load balancer usually means Django redirects to HTTPS without SECURE_PROXY_SSL_HEADER; otherwise point smoke-app-path at the page the chain ends on.`,
};

/** A URL from an answer's Location, bounded: it is quoted in a failure that reaches summaries. */
const SHOWN_URL_LENGTH = 200;
function shownUrl(href: string): string {
  return href.length > SHOWN_URL_LENGTH ? `${href.slice(0, SHOWN_URL_LENGTH)}…` : href;
}

function describeChain(chain: readonly string[]): string {
  return chain.map(shownUrl).join(' -> ');
}

function failing(cause: PageFailureCause, url: URL, why: string): PageStep {
  return { fail: { cause, why, hint: HINTS[cause](url) } };
}

/**
 * Judges one answer to `url`. A redirect is followed only to the same origin: a relative Location
 * resolves against `url`; an absolute one must name the same scheme, host and port. HTTP to HTTPS on
 * the same host is told apart from a redirect off the site, because their fixes differ.
 */
export function pageStep(url: URL, answer: PageAnswer): PageStep {
  const { status, location } = answer;
  if (status >= 200 && status <= 299) return { pass: true };
  if (status === 400) return failing('host-rejected', url, `answered ${status}`);
  if (status < 300 || status > 399) return failing('status', url, `answered ${status}`);
  let target: URL | undefined;
  try {
    target = location === undefined || location === '' ? undefined : new URL(location, url);
  } catch {
    target = undefined;
  }
  if (target === undefined) {
    return failing('redirect-without-location', url, `answered ${status} without a usable Location`);
  }
  if (target.origin === url.origin) return { follow: target };
  const toHttps =
    url.protocol === 'http:' && target.protocol === 'https:' && target.hostname === url.hostname;
  return failing(toHttps ? 'to-https' : 'off-site', url, `answered ${status} -> ${shownUrl(target.href)}`);
}

/**
 * Requests `start`, following same-site redirects up to MAX_PAGE_REDIRECTS. `get` rejects when
 * nothing answers; `onAnswer` sees each answer (for the caller's log).
 */
export async function checkPage(
  start: URL,
  get: (url: URL) => Promise<PageAnswer>,
  onAnswer: (url: URL, answer: PageAnswer) => void = () => undefined,
): Promise<PageCheckResult> {
  const chain: string[] = [];
  let url = start;
  for (;;) {
    chain.push(url.href);
    let answer: PageAnswer;
    try {
      answer = await get(url);
    } catch (error) {
      const seen = `${describeChain(chain)} did not answer: ${errorMessage(error)}`;
      return { failed: { cause: 'no-answer', seen, hint: HINTS['no-answer'](url) } };
    }
    onAnswer(url, answer);
    const step = pageStep(url, answer);
    if ('pass' in step) return { passed: { url: url.href, status: answer.status, chain } };
    if ('fail' in step) {
      const { why, ...failure } = step.fail;
      return { failed: { ...failure, seen: `${describeChain(chain)} ${why}` } };
    }
    if (chain.length > MAX_PAGE_REDIRECTS) {
      return {
        failed: {
          cause: 'too-many-redirects',
          seen: `${describeChain([...chain, step.follow.href])} (more than ${MAX_PAGE_REDIRECTS} redirects)`,
          hint: HINTS['too-many-redirects'](start),
        },
      };
    }
    url = step.follow;
  }
}
