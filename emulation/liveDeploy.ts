import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginToRegistry, releaseRegistryInputs } from './appReleases';
import { startContainerRuntime, type ContainerRuntime } from './containerRuntime';
import { startEmulatedRegion, type EmulatedRegion } from './region';
import { runAction, type ActionRun } from './runAction';
import {
  copyStack,
  emulatedStackInputs,
  prepareEmulatedStack,
  terraformEnv,
  type EmulatedStack,
} from './stack';

/**
 * A deploy onto the live data plane, as the live suites, the zero-downtime bench and the demo run
 * it: the region with real instances, the container runtime they pull from, and a private copy of
 * the stack (another run may init the bundled terraform/ beside it).
 */
export interface LiveFleet {
  region: EmulatedRegion;
  runtime: ContainerRuntime;
  stack: EmulatedStack;
  /** The private copy of terraform/ deploys run in (`copyStack`). */
  stackDir: string;
  /** The docker CLI's config, logged in to the local registry (`loginToRegistry`). */
  dockerConfig: string;
  /** The run's workspace and temporary directory. */
  workDir: string;
}

/**
 * The inputs of a deploy of a prebuilt `image`: two gunicorn workers per instance (enough for the
 * load, light on a 2-core machine), AWS's default grace period, the bundled warmup of 30 s; `extra`
 * wins over every default.
 */
export function liveDeployInputs(
  fleet: LiveFleet,
  image: string,
  extra: Record<string, string> = {},
  terraformVars: string[] = [],
): Record<string, string> {
  const stackInputs = emulatedStackInputs(fleet.stack, fleet.region);
  return {
    command: 'deploy',
    image,
    ...releaseRegistryInputs(fleet.runtime, image),
    ...stackInputs,
    'terraform-vars': [
      stackInputs['terraform-vars'],
      'app_environment={WEB_CONCURRENCY="2"}',
      // AWS's default grace (300 s, 60 s of real time here): a real container boots the user-data,
      // pulls, and (with the database) waits for its relay and its migration check; with the
      // bundled 120 s (24 s here) a busy 2-core machine could have AWS replace a healthy release's
      // instances before they answered, and the fast verdict would judge the machine, not the app.
      'health_check_grace_period=300',
      ...terraformVars,
    ].join('\n'),
    'instance-warmup': '30',
    'comment-on-pr': 'false',
    'working-directory': fleet.stackDir,
    ...extra,
  };
}

/**
 * The runner environment of such a run. Terraform's part is read once, up front, by the caller
 * that passes it: it runs a shell synchronously, which must not stall a load generator on the
 * same event loop in the middle of a measured rollout.
 */
export function liveActionEnv(
  fleet: LiveFleet,
  terraform: Record<string, string> = terraformEnv(),
): Record<string, string> {
  return {
    ...terraform,
    ...fleet.region.resolverEnv,
    DOCKER_HOST: fleet.runtime.dockerHost,
    DOCKER_CONFIG: fleet.dockerConfig,
    NODE_EXTRA_CA_CERTS: fleet.runtime.caFile,
    GITHUB_WORKSPACE: fleet.workDir,
    RUNNER_TEMP: fleet.workDir,
  };
}

/** A live fleet started by `startLiveFleet`: deploys into it until stopped. */
export interface RunningFleet extends LiveFleet {
  /** `deploy` of a prebuilt image through `node dist/index.js`, its log echoed; `extra` wins. */
  deploy(image: string, extra?: Record<string, string>): Promise<ActionRun>;
  /** The runner environment of a deploy into it (`liveActionEnv`), for a run with inputs of its own. */
  actionEnv: Record<string, string>;
  /** The load balancer's DNS name (the public Host) and the loopback address serving it. */
  loadBalancer(): Promise<{ host: string; address: string }>;
  /** Stops the region (and every instance container it started) and removes the workspace. */
  stop(): Promise<void>;
}

/**
 * The demo's, the rehearsal's and the live benches' setup, one path for all: the container runtime
 * with its registry logged in, the region with a live data plane at `timeScale`, the bundled
 * stack's state bucket, and a private copy of terraform/ (so a run can go beside a test run in one
 * checkout).
 * With `database`, the stack has its RDS database (a real PostgreSQL server) and deploys migrate.
 */
export async function startLiveFleet(
  name: string,
  timeScale: number,
  { database = false }: { database?: boolean } = {},
): Promise<RunningFleet> {
  const workDir = mkdtempSync(join(tmpdir(), `ha-django-deploy-${name}-`));
  const removeWorkDir = () => {
    rmSync(workDir, { recursive: true, force: true });
  };
  const dockerConfig = join(workDir, 'docker-config');
  let runtime: ContainerRuntime;
  let region: EmulatedRegion;
  try {
    runtime = await startContainerRuntime();
    loginToRegistry(runtime, dockerConfig);
    region = await startEmulatedRegion({
      timeScale,
      dataPlane: { dockerHost: runtime.dockerHost, dockerConfig },
      database,
    });
  } catch (error) {
    removeWorkDir();
    throw error;
  }
  const stop = async () => {
    await region.stop();
    removeWorkDir();
  };
  try {
    const stack = await prepareEmulatedStack(region, { database });
    const stackDir = copyStack(stack, join(workDir, 'terraform'));
    const fleet: LiveFleet = { region, runtime, stack, stackDir, dockerConfig, workDir };
    const env = liveActionEnv(fleet);
    return {
      ...fleet,
      stop,
      actionEnv: env,
      deploy: (image, extra = {}) =>
        runAction(
          liveDeployInputs(fleet, image, {
            'poll-interval-seconds': '1',
            'wait-timeout-minutes': '10',
            ...extra,
          }),
          env,
          { echo: true },
        ),
      loadBalancer: async () => {
        const [host, address] = Object.entries((await region.dataPlane()).loadBalancers)[0] ?? [];
        if (!host || !address) throw new Error('the data plane runs no load balancer');
        return { host, address };
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs `use` on a fleet `startLiveFleet` started, and stops the fleet however `use` ends. */
export async function withLiveFleet<T>(
  name: string,
  timeScale: number,
  use: (fleet: RunningFleet) => Promise<T>,
): Promise<T> {
  const fleet = await startLiveFleet(name, timeScale);
  try {
    return await use(fleet);
  } finally {
    await fleet.stop();
  }
}

/** Samples the region's resident memory (server, haproxy, containers) until stopped. */
export function memorySampler(region: EmulatedRegion) {
  let peak = 0;
  let peakInstances = 0;
  const timer = setInterval(() => {
    void region.dataPlane().then(
      (state) => {
        const total = Object.values(state.memoryBytes).reduce((sum, bytes) => sum + bytes, 0);
        if (total > peak) {
          peak = total;
          peakInstances = Object.values(state.instances).filter((instance) => !instance.stopped).length;
        }
      },
      () => undefined,
    );
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakMiB: Math.round(peak / 2 ** 20), instances: peakInstances };
    },
  };
}
