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

export function startLoad(options: LoadOptions): RunningLoad {
  if (!LOOPBACK.test(options.address)) throw new Error(`load goes to loopback only, not ${options.address}`);
  const maxRequests = options.maxRequests ?? 5_000;
  const deadline = Date.now() + (options.maxSeconds ?? 300) * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const result: LoadResult = { requests: 0, failed: 0, byVersion: {}, failures: [], seconds: 0 };
  const started = Date.now();
  let stopped = false;

  const client = async (): Promise<void> => {
    while (!stopped && result.requests < maxRequests && Date.now() < deadline) {
      result.requests++;
      try {
        const answer = await get(agent, options);
        const version = (JSON.parse(answer.body) as { version?: string }).version ?? 'unknown';
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
        result.byVersion[version] = (result.byVersion[version] ?? 0) + 1;
      } catch (error) {
        result.failed++;
        const at = ((Date.now() - started) / 1000).toFixed(1);
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
