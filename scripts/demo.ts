/**
 * The README's first command: the whole `deploy` pipeline through the action's bundle,
 * `node dist/index.js`, on this machine only, against an EMULATED AWS region with a LIVE data plane:
 * - the real app from app/, built three times with docker (podman's Docker API) and pushed to an
 *   authenticated registry on 127.0.0.1: release 1 (its notes table: the first migration), release
 *   2 (a code change and an additive migration, a nullable column), release 3 (a migration the
 *   server refuses: the deploy must stop before any instance is replaced);
 * - the stack's database: RDS through the emulated API, a real PostgreSQL server per DB instance on
 *   a loopback address (TLS required, the master password in the emulated Secrets Manager); the
 *   instances' containers reach it through a relay in their network namespace; each deploy runs
 *   the release's migrations once, through SSM Run Command on one instance's host, in a one-off
 *   container of the new image;
 * - the bundled Terraform applied by the real CLI into the emulated region (moto plus the harness
 *   in emulation/region), its state in the region's S3;
 * - every instance boots the launch template's real user-data and runs the release's container on
 *   its own loopback address; the ALB's health checks are real HTTP; the ALB itself is an haproxy
 *   on a loopback address that its DNS name resolves to for the action (emulation/dns.cjs);
 * - while releases 2 and 3 roll out, a bounded load generator reads and writes (notes, through the
 *   app's form) through that load balancer and the demo prints how many failed.
 * Health check intervals, warmup and draining run 5x faster (the region's documented time scale);
 * thresholds are as configured. No AWS account, DockerHub or GitHub is touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerRuntime } from '../emulation/containerRuntime';
import {
  ANNOUNCE_RELEASE,
  buildAppRelease,
  FAILING_MIGRATION,
  loginToRegistry,
  NOTE_AUTHOR_COLUMN,
} from '../emulation/appReleases';
import { firstDeployLine, inServiceInstances, migrationsLine } from '../emulation/databaseDemo';
import { startEmulatedRegion } from '../emulation/region';
import { copyStack, prepareEmulatedStack, type EmulatedStack } from '../emulation/stack';
import { startLoad, zeroDowntimeLine, type LoadResult } from '../emulation/loadGenerator';
import { liveActionEnv, liveDeployInputs, memorySampler } from '../emulation/liveDeploy';
import { runAction, type ActionRun } from '../emulation/runAction';

const TIME_SCALE = 5;

function printRun(title: string, run: ActionRun): void {
  console.log(`\n== ${title}: exit ${run.exitCode} ==`);
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`);
  console.log('\n== job summary ==');
  console.log(run.summary);
}

function byVersion(load: LoadResult): string {
  return Object.entries(load.byVersion)
    .map(([version, count]) => `${count} from release ${version}`)
    .join(', ');
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log(
    '== ha-django-deploy demo: the AWS region below is EMULATED (moto + a live data plane on 127.0.0.0/8), not AWS ==\n',
  );
  const workDir = mkdtempSync(join(tmpdir(), 'ha-django-deploy-demo-'));
  const dockerConfig = join(workDir, 'docker-config');
  const runtime = await startContainerRuntime();
  loginToRegistry(runtime, dockerConfig);
  const region = await startEmulatedRegion({
    timeScale: TIME_SCALE,
    dataPlane: { dockerHost: runtime.dockerHost, dockerConfig },
    database: true,
  });
  const memory = memorySampler(region);
  let stack: EmulatedStack | undefined;
  try {
    stack = await prepareEmulatedStack(region, { database: true });
    const repository = `${runtime.registry}/demo/web`;
    console.log('building app/ three times (docker build, push to the local registry)...');
    const releases = [
      buildAppRelease(runtime, dockerConfig, repository, '1'),
      buildAppRelease(runtime, dockerConfig, repository, '2', [ANNOUNCE_RELEASE, ...NOTE_AUTHOR_COLUMN]),
      buildAppRelease(runtime, dockerConfig, repository, '3', [
        ANNOUNCE_RELEASE,
        ...NOTE_AUTHOR_COLUMN,
        FAILING_MIGRATION,
      ]),
    ];
    for (const release of releases) console.log(`  release ${release.version}: ${release.image}`);
    const [release1, release2, release3] = releases.map((release) => release.image) as [
      string,
      string,
      string,
    ];
    // A copy of terraform/, so the demo can run beside a test run in the same checkout.
    const fleet = {
      region,
      runtime,
      stack,
      stackDir: copyStack(stack, join(workDir, 'terraform')),
      dockerConfig,
      workDir,
    };
    const env = liveActionEnv(fleet);
    const deploy = (image: string, extra: Record<string, string> = {}) =>
      runAction(
        liveDeployInputs(fleet, image, {
          'poll-interval-seconds': '1',
          'wait-timeout-minutes': '10',
          // A replacement boots the real user-data (the AWS CLI for its secrets, the pull, the
          // container with its database relay): on a busy 2-core machine that outlasts the bundled
          // 30 s warmup (6 s here), and the refresh would give up on a healthy release.
          'instance-warmup': '90',
          ...extra,
        }),
        env,
        { echo: true },
      );
    const underLoad = async (
      image: string,
      extra: Record<string, string> = {},
    ): Promise<[ActionRun, LoadResult]> => {
      const state = await region.dataPlane();
      const [host, address] = Object.entries(state.loadBalancers)[0] ?? [];
      if (!host || !address) throw new Error('the data plane runs no load balancer');
      const load = startLoad({
        address,
        host,
        concurrency: 3,
        maxRequests: 20_000,
        maxSeconds: 600,
        pauseMs: 20,
        writePath: '/notes/',
        writeEvery: 4,
      });
      const rolloutStarted = Date.now();
      const run = await deploy(image, extra);
      const result = await load.stop();
      console.log(`\n(deploy wall time ${Math.round((Date.now() - rolloutStarted) / 1000)} s)`);
      return [run, result];
    };

    console.log(`\n== deploy 1: release 1 creates the stack and its database, then migrates ==\n`);
    const first = await deploy(release1);
    printRun('deploy 1', first);
    console.log(`\n${migrationsLine(first)}`);
    console.log(await firstDeployLine(region));
    if (first.exitCode !== 0) return first.exitCode;

    console.log(`\n== deploy 2: release 2 (an additive migration) rolls out under load that writes ==\n`);
    const [second, secondLoad] = await underLoad(release2);
    printRun('deploy 2', second);
    console.log(`\n${migrationsLine(second)}`);
    console.log(`${zeroDowntimeLine(secondLoad)} (${byVersion(secondLoad)})`);
    if (second.exitCode !== 0) return second.exitCode;

    console.log(`\n== deploy 3: release 3's migration fails; no instance may be replaced ==\n`);
    const before = await inServiceInstances(region);
    const [third, thirdLoad] = await underLoad(release3);
    printRun('deploy 3', third);
    const after = await inServiceInstances(region);
    const untouched = before.join(' ') === after.join(' ');
    console.log(`\n${migrationsLine(third)}`);
    console.log(`${zeroDowntimeLine(thirdLoad)} (${byVersion(thirdLoad)})`);
    console.log(
      `instances before deploy 3: ${before.join(', ')}; after: ${after.join(', ')} (${untouched ? 'none replaced' : 'REPLACED'})`,
    );

    const peak = memory.stop();
    console.log(`\npeak memory of the region: ${peak.peakMiB} MiB with ${peak.instances} instances running`);
    console.log(`demo wall time: ${Math.round((Date.now() - started) / 1000)} s`);
    const asExpected =
      third.exitCode !== 0 &&
      third.outputs['failure-reason'] === 'migration-failed' &&
      untouched &&
      Object.keys(thirdLoad.byVersion).join() === '2';
    console.log(
      asExpected
        ? '\ndeploy 3 failed as it must: its migration failed before any instance was replaced, and release 2 still serves.'
        : '\nUNEXPECTED: deploy 3 did not stop at its migration with release 2 serving.',
    );
    const noLoss = [secondLoad, thirdLoad].every((load) => load.failed === 0 && load.writesFailed === 0);
    return asExpected && noLoss ? 0 : 1;
  } finally {
    memory.stop();
    await region.stop();
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
