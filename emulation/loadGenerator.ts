import { Agent, request } from 'node:http';

/**
 * A bounded load generator for the emulated load balancer: `concurrency` keep-alive clients
 * (as browsers and the ALB keep connections open) GET `path` back to back until `maxRequests`
 * (reads and writes) were sent or `maxSeconds` passed, whichever comes first, or until stopped. Loopback only.
 * With `writePath`, every `writeEvery`-th request of a client is a write instead, as a browser
 * makes it: GET the form (its CSRF cookie and token), then POST a note; a write counts as failed
 * unless both answer as the app does when the note is stored (200, then a 302 redirect).
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
  /** The app's write page (its /notes/ form), and how often a client writes (every Nth request). */
  writePath?: string;
  writeEvery?: number;
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
  /** Writes attempted (each a form GET and a POST, counted once) and failed; 0 without writePath. */
  writes: number;
  writesFailed: number;
}

export interface RunningLoad {
  /** Stops sending, waits for requests in flight, and returns the counts. */
  stop(): Promise<LoadResult>;
  /** Resolves when the bound (count or time) is reached. */
  finished: Promise<LoadResult>;
}

const REQUEST_TIMEOUT_MS = 10_000;
const LOOPBACK = /^127\.\d+\.\d+\.\d+$/;

interface Answer {
  status: number;
  body: string;
  cookies: string[];
}

interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function send(agent: Agent, options: LoadOptions, sent: Sent): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      {
        agent,
        host: options.address,
        port: options.port ?? 80,
        method: sent.method ?? 'GET',
        path: sent.path,
        headers: { Host: options.host, ...sent.headers },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          const cookies = (response.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]!);
          resolveAnswer({ status: response.statusCode ?? 0, body, cookies });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(sent.body);
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

/** One client's cookies (CSRF, session), as a browser keeps them: name -> "name=value". */
type CookieJar = Map<string, string>;

function keep(jar: CookieJar, answer: Answer): void {
  for (const cookie of answer.cookies) jar.set(cookie.slice(0, cookie.indexOf('=')), cookie);
}

/** A browser's write: the form (CSRF cookie and token), then the POST the app answers with a redirect. */
async function writeNote(agent: Agent, options: LoadOptions, jar: CookieJar, text: string): Promise<void> {
  const path = options.writePath ?? '/notes/';
  const cookie = () => ({ Cookie: [...jar.values()].join('; ') });
  const form = await send(agent, options, { path, headers: cookie() });
  keep(jar, form);
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.body)?.[1];
  if (form.status !== 200 || !token) throw new Error(`write: the form answered HTTP ${form.status}`);
  const body = new URLSearchParams({ csrfmiddlewaretoken: token, text }).toString();
  const posted = await send(agent, options, {
    method: 'POST',
    path,
    body,
    headers: { ...cookie(), 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  keep(jar, posted);
  if (posted.status !== 302) throw new Error(`write: the POST answered HTTP ${posted.status}`);
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
    writes: 0,
    writesFailed: 0,
  };
  const started = Date.now();
  let stopped = false;
  const failure = (error: unknown) => {
    const seconds = (Date.now() - started) / 1000;
    result.firstFailureAt ??= seconds;
    result.lastFailureAt = seconds;
    if (result.failures.length < 5)
      result.failures.push(`+${seconds.toFixed(1)}s ${(error as Error).message}`);
  };

  const client = async (clientIndex: number): Promise<void> => {
    const jar: CookieJar = new Map();
    for (
      let sent = 1;
      !stopped && result.requests + result.writes < maxRequests && Date.now() < deadline;
      sent++
    ) {
      if (options.writePath && sent % (options.writeEvery ?? 5) === 0) {
        result.writes++;
        await writeNote(agent, options, jar, `load ${clientIndex}-${sent}`).catch((error: unknown) => {
          result.writesFailed++;
          failure(error);
        });
        continue;
      }
      result.requests++;
      try {
        const answer = await send(agent, options, { path: options.path ?? '/health/' });
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
        const version = releaseOf(answer.body);
        result.byVersion[version] = (result.byVersion[version] ?? 0) + 1;
        result.lastAnswerAt[version] = (Date.now() - started) / 1000;
      } catch (error) {
        result.failed++;
        failure(error);
      }
      if (options.pauseMs) await new Promise((wait) => setTimeout(wait, options.pauseMs));
    }
  };
  const clients = Array.from({ length: options.concurrency ?? 4 }, (_, index) => client(index));
  const finished = Promise.all(clients).then(() => {
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
  const writes =
    result.writes > 0 ? `; ${result.writes} writes to the database, ${result.writesFailed} failed` : '';
  return `zero-downtime: ${result.requests} requests during the rollout, ${result.failed} failed${writes}`;
}
