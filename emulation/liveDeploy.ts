import { releaseRegistryInputs } from './appReleases';
import type { ContainerRuntime } from './containerRuntime';
import type { EmulatedRegion } from './region';
import { emulatedStackInputs, terraformEnv, type EmulatedStack } from './stack';

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
 * load, light on a 2-core machine), the bundled warmup of 30 s; `extra` wins over every default.
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
