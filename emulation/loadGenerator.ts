import { Agent, request } from 'node:http';

/**
 * A bounded load generator for the emulated load balancer: `concurrency` keep-alive clients
 * (as browsers and the ALB keep connections open) GET `path` back to back until `maxRequests`
 * were sent or `maxSeconds` passed, whichever comes first, or until stopped. Loopback only.
 */
export interface LoadOptions {
  /** Loopback address of the load balancer (the data plane's haproxy for the ALB's DNS name). */
  address: string;
  port?: number;
  /** Host header: the ALB's DNS name, which the app's ALLOWED_HOSTS names. */
  host: string;
  path?: string;
  concurrency?: number;
  maxRequests?: number;
  maxSeconds?: number;
  /** Pause between one client's requests, so the load stays light on a small machine. */
  pauseMs?: number;
}

export interface LoadResult {
  requests: number;
  failed: number;
  /** Answers by the `version` field of the app's JSON health answer. */
  byVersion: Record<string, number>;
  /** The first few failures (seconds since the load started, and what happened), for the message. */
  failures: string[];
  seconds: number;
  /** Seconds since the load started of the first and the last failed request; undefined: none failed. */
  firstFailureAt: number | undefined;
  lastFailureAt: number | undefined;
  /** Seconds since the load started of the last good answer from each release. */
  lastAnswerAt: Record<string, number>;
}

export interface RunningLoad {
  /** Stops sending, waits for requests in flight, and returns the counts. */
  stop(): Promise<LoadResult>;
  /** Resolves when the bound (count or time) is reached. */
  finished: Promise<LoadResult>;
}

const REQUEST_TIMEOUT_MS = 10_000;
const LOOPBACK = /^127\.\d+\.\d+\.\d+$/;

function get(agent: Agent, options: LoadOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      {
        agent,
        host: options.address,
        port: options.port ?? 80,
        path: options.path ?? '/health/',
        headers: { Host: options.host },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolveAnswer({ status: response.statusCode ?? 0, body });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The release an answer names: the health answer's JSON `version`, or the home page's "Release N". */
function releaseOf(body: string): string {
  try {
    return (JSON.parse(body) as { version?: string }).version ?? 'unknown';
  } catch {
    return /Version\s+([\w.-]+)/.exec(body)?.[1] ?? 'page';
  }
}

export function startLoad(options: LoadOptions): RunningLoad {
  if (!LOOPBACK.test(options.address)) throw new Error(`load goes to loopback only, not ${options.address}`);
  const maxRequests = options.maxRequests ?? 5_000;
  const deadline = Date.now() + (options.maxSeconds ?? 300) * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const result: LoadResult = {
    requests: 0,
    failed: 0,
    byVersion: {},
    failures: [],
    seconds: 0,
    firstFailureAt: undefined,
    lastFailureAt: undefined,
    lastAnswerAt: {},
  };
  const started = Date.now();
  let stopped = false;

  const client = async (): Promise<void> => {
    while (!stopped && result.requests < maxRequests && Date.now() < deadline) {
      result.requests++;
      try {
        const answer = await get(agent, options);
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
        const version = releaseOf(answer.body);
        result.byVersion[version] = (result.byVersion[version] ?? 0) + 1;
        result.lastAnswerAt[version] = (Date.now() - started) / 1000;
      } catch (error) {
        result.failed++;
        const seconds = (Date.now() - started) / 1000;
        result.firstFailureAt ??= seconds;
        result.lastFailureAt = seconds;
        const at = seconds.toFixed(1);
        if (result.failures.length < 5) result.failures.push(`+${at}s ${(error as Error).message}`);
      }
      if (options.pauseMs) await new Promise((wait) => setTimeout(wait, options.pauseMs));
    }
  };
  const finished = Promise.all(Array.from({ length: options.concurrency ?? 4 }, client)).then(() => {
    agent.destroy();
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    return result;
  });
  return {
    finished,
    stop: async () => {
      stopped = true;
      return finished;
    },
  };
}

/** The one line the demo and the bench print. */
export function zeroDowntimeLine(result: LoadResult): string {
  return `zero-downtime: ${result.requests} requests during the rollout, ${result.failed} failed`;
}
