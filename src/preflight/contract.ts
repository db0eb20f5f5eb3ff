/**
 * The app contract as the preflight checks it, pure: how the instances run the container (read
 * from the same container.json the user-data is rendered from), which request each check sends and
 * how an answer is judged. Nothing here runs docker or opens a socket; run.ts does.
 */
// The file the instances' user-data is rendered from (jsondecode(file(...)) in asg.tf).
import {
  container_port as containerPort,
  environment as environmentNames,
  run_flags as runFlags,
} from '../../terraform/modules/web-tier/container.json';
import type { KnownCause } from '../appOutput';
import type { FailureReason } from '../failures';
import { MAX_PAGE_REDIRECTS } from '../pageCheck';

/** What the preflight checks, and how long it gives the app to start. */
export interface PreflightSettings {
  /** The load balancer's health check path (smoke-path). */
  healthPath: string;
  /** A real page, requested with the public Host (smoke-app-path). */
  pagePath: string;
  /** The commit the health answer must carry; undefined when the image names none. */
  expectedCommit: string | undefined;
  /** From `docker run` until the health path must answer. */
  startupTimeoutSeconds: number;
}

/** From `docker run` until the health path must answer: a Django app with a cold import starts in seconds. */
export const STARTUP_TIMEOUT_SECONDS = 60;

/** The Host a load balancer health check sends: the instance's private IP, never the site's name. */
export const PRIVATE_IP_HOST = '10.0.1.23';
/** The site's name in the preflight: allowed by the app's environment, as the stack allows its own. */
export const PUBLIC_HOST = 'preflight.ha-django-deploy.invalid';
export const CONTAINER_PORT = containerPort;

/** One thing an app must do; each has its own stable failure reason. */
export interface ContractItem {
  reason: FailureReason;
  /** The contract item as the README lists it. */
  item: string;
  fix: string;
  /** The app-output cause whose hint says what `fix` says: not repeated beside it. */
  sameAs?: KnownCause['cause'];
}

export const CONTRACT = {
  starts: {
    reason: 'preflight-app-exited',
    item: 'the app starts and stays up with a read-only root filesystem, a 64 MB noexec /tmp and no Linux capabilities',
    fix: 'Read the app output above: write only to /tmp, keep data in a database set by DATABASE_URL, and read every setting from the environment.',
  },
  listens: {
    reason: 'preflight-not-listening',
    item: `the app listens on 0.0.0.0:${containerPort}`,
    sameAs: 'loopback-bind',
    fix: `Bind gunicorn to 0.0.0.0:${containerPort} (bind = ["0.0.0.0:${containerPort}"] in gunicorn.conf.py); 127.0.0.1 is unreachable through the published port.`,
  },
  health: {
    reason: 'preflight-health-failed',
    item: `the health path answers 2xx to Host: ${PRIVATE_IP_HOST} (the load balancer's private-IP Host)`,
    sameAs: 'host-validation',
    fix: 'Answer the health path in a middleware placed first in MIDDLEWARE, before host validation and HTTPS redirects (app/web/middleware.py); DJANGO_ALLOWED_HOSTS cannot fix it.',
  },
  commit: {
    reason: 'preflight-commit-missing',
    item: 'the health answer is JSON carrying the commit the image was built from ("commit")',
    fix: 'Report the REVISION build argument in the health JSON: ARG REVISION + ENV APP_COMMIT=${REVISION} in the Dockerfile, {"commit": settings.APP_COMMIT} in the view.',
  },
  page: {
    reason: 'preflight-page-failed',
    item: `the page check path answers 2xx to the public Host, after at most ${MAX_PAGE_REDIRECTS} redirects on the same site`,
    fix: 'Make the page check path (smoke-app-path) a page that answers 2xx, or point smoke-app-path at one; redirects may only stay on the same site and plain HTTP (the load balancer terminates TLS).',
  },
} as const satisfies Record<string, ContractItem>;

export type ContractItemName = keyof typeof CONTRACT;

/** The environment the instances give the app, with values standing in for the stack's own. */
export function preflightEnvironment(secretKey: string): Record<string, string> {
  const names = environmentNames;
  return {
    [names.allowed_hosts]: PUBLIC_HOST,
    [names.csrf_trusted_origins]: `http://${PUBLIC_HOST}`,
    [names.https]: 'false',
    [names.secret_key]: secretKey,
    [names.instance_id]: 'i-0000000000preflight',
    [names.availability_zone]: 'preflight-1a',
  };
}

/**
 * `docker run` with the instances' own flags; the port is published on 127.0.0.1 only, on a port
 * docker picks. `--env NAME` without a value takes it from docker's environment, so the secret
 * key stays out of argv. No restart policy: a crash must stay visible.
 */
export function runArgs(image: string, name: string, variables: readonly string[]): string[] {
  return [
    'run',
    '--detach',
    '--name',
    name,
    ...runFlags,
    '--publish',
    `127.0.0.1::${containerPort}`,
    ...variables.flatMap((variable) => ['--env', variable]),
    image,
  ];
}

/** The host port from `docker port <name> 8000/tcp` (`127.0.0.1:41234`, one line per binding). */
export function parsePublishedPort(output: string): number | undefined {
  const match = /^127\.0\.0\.1:(\d{1,5})\s*$/m.exec(output);
  return match ? Number(match[1]) : undefined;
}

/** An HTTP answer, its body cut to a bound. */
export interface HttpAnswer {
  status: number;
  location: string | undefined;
  body: string;
}

/** A check that did not pass: the contract item and what was seen. */
export interface Violation {
  item: ContractItemName;
  seen: string;
  /** The fix for the cause that was seen, said before the contract item's own. */
  hint?: string;
}

const SHOWN_BODY_LENGTH = 200;

/** A body as one bounded, printable line. */
export function shownBody(body: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
  const line = body.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return JSON.stringify(line.length > SHOWN_BODY_LENGTH ? `${line.slice(0, SHOWN_BODY_LENGTH)}…` : line);
}

/** The health answer: 2xx, then JSON whose commit is the expected one. */
export function judgeHealth(answer: HttpAnswer, expectedCommit: string | undefined): Violation | undefined {
  if (answer.status < 200 || answer.status > 299) {
    return { item: 'health', seen: `answered ${answer.status}: ${shownBody(answer.body)}` };
  }
  if (expectedCommit === undefined) return undefined;
  let commit: unknown;
  try {
    commit = (JSON.parse(answer.body) as { commit?: unknown } | null)?.commit;
  } catch {
    return { item: 'commit', seen: `the answer is not JSON: ${shownBody(answer.body)}` };
  }
  if (commit === expectedCommit) return undefined;
  return {
    item: 'commit',
    seen:
      commit === undefined
        ? `the answer has no "commit" (expected ${expectedCommit}): ${shownBody(answer.body)}`
        : `the answer reports commit ${JSON.stringify(commit)}, not ${expectedCommit}`,
  };
}
