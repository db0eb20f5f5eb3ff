import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Harness settings; null means "as the target group says" (interval x threshold, deregistration delay). */
export interface EmulatedRegionSettings {
  /** Simulated seconds per real second. */
  timeScale: number;
  healthCheckSeconds: number | null;
  deregistrationSeconds: number | null;
}

export interface EmulatedRegionOptions {
  /** Simulated seconds per real second (default 100). */
  timeScale?: number;
  /** The region the SDK clients use; the emulated state lives per region (default eu-west-1). */
  region?: string;
  /** How long to wait for the server to come up (default 30 s). */
  startTimeoutMs?: number;
  /**
   * Runs the live data plane (server.py --data-plane): instances boot their real user-data and
   * run the image through this Docker API, pulling with DOCKER_CONFIG's registry login; target
   * health comes from real HTTP checks; each load balancer is an haproxy on a loopback address.
   */
  dataPlane?: { dockerHost: string; dockerConfig: string };
  /**
   * Backs each RDS DB instance with a real PostgreSQL server (server.py --database): on a loopback
   * address, TLS with a CA generated at start, the master user's password from its secret.
   */
  database?: boolean;
}

/** One DB instance's server (see emulation/region/emulated_region/database). */
export interface EmulatedDatabaseInstance {
  /** The endpoint address RDS reports; it resolves to `address` through the hosts file. */
  endpoint: string;
  address: string;
  port: number;
  status: string;
  /** The postmaster's process id while it runs. */
  pid: number | null;
  logFile: string;
  /** Why the server could not start (status `failed`). */
  problem: string | null;
}

export interface DatabaseState {
  /** The CA that signed every server's certificate: what a client verifies against. */
  caFile: string;
  /** "<loopback address> <endpoint>" per line, as dns.cjs reads it. */
  hostsFile: string;
  /** Resident memory now: the region's server process, and its PostgreSQL servers (PSS). */
  memoryBytes: { server: number; databases: number };
  instances: Record<string, EmulatedDatabaseInstance>;
}

/** One instance the data plane runs (see emulation/region/emulated_region/dataplane). */
export interface DataPlaneInstance {
  instanceId: string;
  /** The loopback address standing in for its private IP. */
  address: string;
  privateIp: string;
  containerName: string;
  cpus: number;
  bootExitCode: number | null;
  stopped: boolean;
  /** Holds boot.log (the user-data's output) and container.log (the container's k8s-file log). */
  directory: string;
  events: { at: number; event: string }[];
}

export interface DataPlaneState {
  /** Resident memory now: the region's server, its haproxies, and the instances' containers. */
  memoryBytes: { server: number; loadBalancers: number; containers: number };
  hostsFile: string;
  /** DNS name -> loopback address of its haproxy. */
  loadBalancers: Record<string, string>;
  instances: Record<string, DataPlaneInstance>;
  /** "<target group ARN> <instance id>" -> its real health checks so far. */
  targets?: Record<string, { state: string; reason: string | null; checks: number; history: string[] }>;
  lastError: string | null;
}

/** moto accepts any key pair; these are the ones every client of the tests signs with. */
export const EMULATED_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface EmulatedRegion {
  /** http://127.0.0.1:<port>: the `endpoint` for every AWS SDK client of the test. */
  endpoint: string;
  region: string;
  /** The configuration to hand any AWS SDK v3 client so it talks to this region. */
  clientConfig: { endpoint: string; region: string; credentials: typeof EMULATED_CREDENTIALS };
  /** Empties every emulated resource and restores the harness settings given at start. */
  reset(): Promise<void>;
  /**
   * Forces a target health reason on one instance (default Target.FailedHealthChecks). With the
   * data plane, only for what a real container cannot produce (Elb.InternalError).
   */
  markUnhealthyInstance(instanceId: string, reasonCode?: string): Promise<void>;
  /**
   * A broken release without the data plane: every instance launched from this launch template
   * version, replacements included, fails its health checks with `reasonCode` once its checks run.
   */
  markUnhealthyVersion(version: number, reasonCode?: string): Promise<void>;
  /** Simulated seconds per real second, as last set through `settings` (or given at start). */
  readonly timeScale: number;
  /**
   * The environment that puts the action's clock on this region's time (emulation only): its wait
   * budgets then pass as fast as the region's health checks and refreshes do, and the scale test's
   * dates are the region's (those of its metric datapoints and scaling activities).
   */
  actionClockEnv(): Record<string, string>;
  /** The region's simulated date now: the one on its metric datapoints and scaling activities. */
  simulatedNow(): Date;
  /** Changes some settings; returns all of them. */
  settings(changes: Partial<EmulatedRegionSettings>): Promise<EmulatedRegionSettings>;
  /** What the live data plane runs; throws when the region was started without it. */
  dataPlane(): Promise<DataPlaneState>;
  /** The DB instances' servers; throws when the region was started without the database. */
  database(): Promise<DatabaseState>;
  /**
   * Calls one of the harness's control routes (`/_harness/...`, see emulation/README.md): a GET
   * without a body, a POST with one; rejects with the route's answer when it is not 2xx.
   */
  control<T>(path: string, body?: unknown): Promise<T>;
  /**
   * Environment for a Node process (the action) that must reach the load balancers and the DB
   * instances by their DNS names: a `--require` of dns.cjs reading the data plane's and the
   * database's hosts files. Empty without either.
   */
  resolverEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** GET /_harness/state's `clock`: one instant on the real and the simulated date, and the scale. */
interface RegionClock {
  realEpochMs: number;
  simulatedEpochMs: number;
  timeScale: number;
}

const DNS_PRELOAD = join(__dirname, 'dns.cjs');

const REPO_ROOT = resolve(__dirname, '..');
const SERVER = join(__dirname, 'region/server.py');
const READY = /^EMULATED_REGION_READY (http:\/\/127\.0\.0\.1:\d+)$/;
const STOP_GRACE_MS = 5_000;

function pythonPath(): string {
  const python = process.env.HA_PYTHON ?? join(REPO_ROOT, '.venv/bin/python');
  if (!existsSync(python)) {
    throw new Error(
      `The emulated region needs the project's Python venv, and ${python} does not exist: run bash scripts/setup.sh (or set HA_PYTHON).`,
    );
  }
  return python;
}

/** Resolves with the server's URL once it prints its ready line; rejects with its stderr otherwise. */
function waitUntilReady(server: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<string> {
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise<string>((resolveReady, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      server.kill('SIGKILL');
      reject(new Error(`The emulated region did not start: ${why}\n${stderr}`));
    };
    const timer = setTimeout(() => {
      fail(`no ready line within ${timeoutMs} ms`);
    }, timeoutMs);
    server.once('error', (error) => {
      fail(error.message);
    });
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`the server exited (${signal ?? `code ${code ?? 'unknown'}`})`);
    };
    server.once('exit', onExit);
    createInterface({ input: server.stdout }).once('line', (line) => {
      const ready = READY.exec(line);
      if (!ready) {
        fail(`unexpected first line ${JSON.stringify(line)}`);
        return;
      }
      clearTimeout(timer);
      server.removeListener('exit', onExit);
      resolveReady(ready[1]!);
    });
  });
}

async function call<T>(endpoint: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${endpoint}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * Starts the emulated region (moto plus the instance-refresh harness, see
 * emulation/README.md) on a free loopback port. The server also stops by itself
 * when this process dies, because it watches its stdin pipe.
 */
export async function startEmulatedRegion(options: EmulatedRegionOptions = {}): Promise<EmulatedRegion> {
  const args = [SERVER, '--port', '0'];
  if (options.timeScale !== undefined) args.push('--time-scale', String(options.timeScale));
  const env = { ...process.env };
  if (options.database) args.push('--database');
  if (options.dataPlane) {
    args.push('--data-plane');
    env.DOCKER_HOST = options.dataPlane.dockerHost;
    env.DOCKER_CONFIG = options.dataPlane.dockerConfig;
  }
  const server = spawn(pythonPath(), args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolveExit) => {
    server.once('exit', () => {
      resolveExit();
    });
  });
  const endpoint = await waitUntilReady(server, options.startTimeoutMs ?? 30_000);

  const region = options.region ?? 'eu-west-1';
  const initialTimeScale = options.timeScale ?? 100;
  let timeScale = initialTimeScale;
  /** The region's clock as last read: a scaled action clock on it shows the region's own dates. */
  let clock = (await call<{ clock: RegionClock }>(endpoint, '/_harness/state')).clock;
  const dataPlane = async (): Promise<DataPlaneState> => {
    const state = await call<{ dataPlane: DataPlaneState | null }>(endpoint, '/_harness/state');
    if (!state.dataPlane)
      throw new Error('The emulated region runs without its data plane (dataPlane option).');
    return state.dataPlane;
  };
  const database = async (): Promise<DatabaseState> => {
    if (!options.database)
      throw new Error('The emulated region runs without its database (database option).');
    return call<DatabaseState>(endpoint, '/_harness/databases');
  };
  const hostsFiles = [
    ...(options.dataPlane ? [(await dataPlane()).hostsFile] : []),
    ...(options.database ? [(await database()).hostsFile] : []),
  ];
  const resolverEnv: Record<string, string> =
    hostsFiles.length > 0
      ? {
          HA_EMULATED_HOSTS_FILE: hostsFiles.join(delimiter),
          NODE_OPTIONS: `--require ${DNS_PRELOAD}`,
        }
      : {};
  return {
    endpoint,
    region,
    get timeScale() {
      return timeScale;
    },
    actionClockEnv: () => ({
      HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE: String(timeScale),
      HA_DJANGO_DEPLOY_EMULATED_CLOCK_ANCHOR: `${clock.realEpochMs}:${clock.simulatedEpochMs}`,
    }),
    simulatedNow: () => new Date(clock.simulatedEpochMs + (Date.now() - clock.realEpochMs) * clock.timeScale),
    clientConfig: { endpoint, region, credentials: EMULATED_CREDENTIALS },
    reset: async () => {
      await call(endpoint, '/moto-api/reset', {});
      timeScale = initialTimeScale;
      clock = (await call<{ clock: RegionClock }>(endpoint, '/_harness/state')).clock;
    },
    markUnhealthyInstance: async (instanceId, reasonCode = 'Target.FailedHealthChecks') => {
      await call(endpoint, '/_harness/unhealthy-instance', { instanceId, reasonCode });
    },
    markUnhealthyVersion: async (version, reasonCode = 'Target.ResponseCodeMismatch') => {
      await call(endpoint, '/_harness/unhealthy-version', {
        launchTemplateVersion: String(version),
        reasonCode,
      });
    },
    settings: async (changes) => {
      const state = await call<{ settings: EmulatedRegionSettings; clock: RegionClock }>(
        endpoint,
        '/_harness/settings',
        changes,
      );
      const { settings } = state;
      timeScale = settings.timeScale;
      clock = state.clock;
      return settings;
    },
    dataPlane,
    database,
    control: (path, body) => call(endpoint, path, body),
    resolverEnv,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      const forceKill = setTimeout(() => {
        server.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(forceKill);
    },
  };
}
