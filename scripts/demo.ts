/**
 * The README's first command: the whole `deploy` pipeline through the action's bundle,
 * `node dist/index.js`, on this machine only:
 * - two prebuilt releases of an image in an authenticated registry on 127.0.0.1 (podman),
 * - the bundled Terraform applied by the real CLI into an EMULATED AWS region (moto plus the
 *   instance-refresh harness in __tests__/emulated-region) as the action ships it, its state in
 *   the emulated region's S3,
 * - release 1 creates the stack; release 2 is a new launch template version rolled out by an
 *   instance refresh, waited on until every target is healthy, then smoke-checked.
 * No AWS account, DockerHub or GitHub is touched. The smoke check's URL is a local stand-in: the
 * emulated load balancer's DNS name resolves nowhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startContainerRuntime, type ContainerRuntime } from '../__tests__/image/containerRuntime';
import { startEmulatedRegion } from '../__tests__/support/emulatedRegion';
import {
  emulatedStackInputs,
  prepareEmulatedStack,
  terraformEnv,
  type EmulatedStack,
} from '../__tests__/support/emulatedStack';
import { startHealthServer } from '../__tests__/support/healthServer';
import { runAction, type ActionRun } from '../__tests__/support/runAction';

const REPO_ROOT = resolve(__dirname, '..');

/** Two releases that differ only in a label: distinct digests, nothing slow to build. */
function pushReleases(runtime: ContainerRuntime, dockerConfig: string, workDir: string): string[] {
  const env = { ...process.env, DOCKER_HOST: runtime.dockerHost, DOCKER_CONFIG: dockerConfig };
  const docker = (args: string[], input?: string) =>
    execFileSync('docker', args, { env, input, stdio: ['pipe', 'ignore', 'inherit'] });
  docker(['login', '--username', runtime.username, '--password-stdin', runtime.registry], runtime.password);
  return ['1', '2'].map((release) => {
    const context = join(workDir, `release-${release}`);
    execFileSync('mkdir', ['-p', context]);
    writeFileSync(
      join(context, 'Dockerfile'),
      `FROM ${runtime.baseImage}\nLABEL org.opencontainers.image.version="${release}"\n`,
    );
    const reference = `${runtime.registry}/demo/web:release-${release}`;
    docker(['build', '--quiet', '--tag', reference, context]);
    docker(['push', '--quiet', reference]);
    return reference;
  });
}

function printRun(title: string, run: ActionRun): void {
  console.log(`\n== ${title}: exit ${run.exitCode} ==`);
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`);
  console.log('\n== job summary ==');
  console.log(run.summary);
}

async function main(): Promise<number> {
  console.log('== ha-django-deploy demo: the AWS region below is EMULATED (moto on 127.0.0.1), not AWS ==\n');
  const workDir = mkdtempSync(join(tmpdir(), 'ha-django-deploy-demo-'));
  const [runtime, region, app] = await Promise.all([
    startContainerRuntime(),
    startEmulatedRegion(),
    startHealthServer(),
  ]);
  let stack: EmulatedStack | undefined;
  try {
    stack = await prepareEmulatedStack(region);
    const stackInputs = emulatedStackInputs(stack, region);
    const dockerConfig = join(workDir, 'docker-config');
    const releases = pushReleases(runtime, dockerConfig, workDir);
    console.log(`pushed ${releases.join(' and ')} to the local registry\n`);
    const env = {
      ...terraformEnv(),
      DOCKER_HOST: runtime.dockerHost,
      DOCKER_CONFIG: dockerConfig,
      NODE_EXTRA_CA_CERTS: runtime.caFile,
      GITHUB_WORKSPACE: REPO_ROOT,
      RUNNER_TEMP: workDir,
    };
    const deploy = (image: string) =>
      runAction(
        {
          command: 'deploy',
          image,
          'dockerhub-username': runtime.username,
          'dockerhub-token': runtime.password,
          ...stackInputs,
          'instance-warmup': '30',
          'poll-interval-seconds': '1',
          'app-url': app.url,
        },
        env,
        { echo: true },
      );
    console.log(`== deploy 1: ${releases[0] ?? ''} creates the stack ==\n`);
    const first = await deploy(releases[0] ?? '');
    printRun('deploy 1', first);
    if (first.exitCode !== 0) return first.exitCode;
    console.log(`\n== deploy 2: ${releases[1] ?? ''} rolls out through an instance refresh ==\n`);
    const second = await deploy(releases[1] ?? '');
    printRun('deploy 2', second);
    return second.exitCode;
  } finally {
    await app.close();
    await region.stop();
    stack?.remove();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
