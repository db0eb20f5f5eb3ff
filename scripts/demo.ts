/**
 * The README's first command: the whole `deploy` pipeline through the action's bundle,
 * `node dist/index.js`, on this machine only, against an EMULATED AWS region with a LIVE data plane:
 * - the real app from app/, built five times with docker (podman's Docker API) and pushed to an
 *   authenticated registry on 127.0.0.1: release 1 (its notes table: the first migration), release
 *   2 (a code change and an additive migration, a nullable column), release 3 (a migration the
 *   server refuses: the deploy must stop before any instance is replaced), release 4 (a defect: its
 *   gunicorn config reads a variable the stack does not set, so gunicorn cannot start), release 5
 *   (a defect only users see: its home page answers 500 to one request in four);
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
 * - while releases 2 to 4 roll out, a bounded load generator reads and writes (notes, through the
 *   app's form) through that load balancer and the demo prints how many failed;
 * - release 5 rolls out under load on the home page: the stack's release alarms (the 5xx share of
 *   requests, from the real haproxy's request log) fire during the refresh or its bake, AWS rolls it
 *   back, and the demo prints the failed requests and the time until release 2 served again.
 * Health check intervals, warmup and draining run 5x faster (the region's documented time scale);
 * thresholds are as configured. No AWS account, DockerHub or GitHub is touched.
 */
import { alarmRollbackLines, deployFailingRelease } from '../emulation/alarmRollback';
import {
  ANNOUNCE_RELEASE,
  buildAppRelease,
  FAILING_MIGRATION,
  GUNICORN_NEEDS_MISSING_VARIABLE,
  HOME_FAILS_ONE_IN_FOUR,
  NOTE_AUTHOR_COLUMN,
} from '../emulation/appReleases';
import { firstDeployLine, inServiceInstances, migrationsLine } from '../emulation/databaseDemo';
import { startLoad, zeroDowntimeLine, type LoadResult } from '../emulation/loadGenerator';
import { memorySampler, startLiveFleet, type RunningFleet } from '../emulation/liveDeploy';
import { printRun, type ActionRun } from '../emulation/runAction';

const TIME_SCALE = 5;

/**
 * A replacement boots the real user-data (the AWS CLI for its secrets, the pull, the container with
 * its database relay): on a busy 2-core machine that outlasts the bundled 30 s warmup (6 s here).
 */
const DEMO_INPUTS = { 'instance-warmup': '90' };

function byVersion(load: LoadResult): string {
  return Object.entries(load.byVersion)
    .map(([version, count]) => `${count} from release ${version}`)
    .join(', ');
}

/** Prints what a failing deploy showed, as it must or UNEXPECTED; returns whether it was as it must. */
function verdict(asItMust: boolean, expected: string, unexpected: string): boolean {
  console.log(asItMust ? `\n${expected}` : `\nUNEXPECTED: ${unexpected}`);
  return asItMust;
}

/** The five releases, built for real and pushed; by digest. */
function buildReleases(fleet: RunningFleet): string[] {
  const { runtime, dockerConfig } = fleet;
  const repository = `${runtime.registry}/demo/web`;
  console.log('building app/ five times (docker build, push to the local registry)...');
  const release2 = [ANNOUNCE_RELEASE, ...NOTE_AUTHOR_COLUMN];
  const releases = [
    buildAppRelease(runtime, dockerConfig, repository, '1'),
    buildAppRelease(runtime, dockerConfig, repository, '2', release2),
    buildAppRelease(runtime, dockerConfig, repository, '3', [...release2, FAILING_MIGRATION]),
    buildAppRelease(runtime, dockerConfig, repository, '4', [...release2, GUNICORN_NEEDS_MISSING_VARIABLE]),
    buildAppRelease(runtime, dockerConfig, repository, '5', [...release2, ...HOME_FAILS_ONE_IN_FOUR]),
  ];
  for (const release of releases) console.log(`  release ${release.version}: ${release.image}`);
  return releases.map((release) => release.image);
}

/** A deploy while a bounded load reads and writes through the load balancer. */
async function underLoad(
  fleet: RunningFleet,
  image: string,
  extra: Record<string, string> = {},
): Promise<[ActionRun, LoadResult]> {
  const load = startLoad({
    ...(await fleet.loadBalancer()),
    concurrency: 3,
    maxRequests: 20_000,
    maxSeconds: 600,
    pauseMs: 20,
    writePath: '/notes/',
    writeEvery: 4,
  });
  const rolloutStarted = Date.now();
  const run = await fleet.deploy(image, { ...DEMO_INPUTS, ...extra });
  const result = await load.stop();
  console.log(`\n(deploy wall time ${Math.round((Date.now() - rolloutStarted) / 1000)} s)`);
  return [run, result];
}

/** Deploys 1 and 2: the schema, then an additive migration under load; true when both worked. */
async function goodReleases(fleet: RunningFleet, release1: string, release2: string): Promise<boolean> {
  console.log(`\n== deploy 1: release 1 creates the stack and its database, then migrates ==\n`);
  const first = await fleet.deploy(release1, DEMO_INPUTS);
  printRun('deploy 1', first);
  console.log(`\n${migrationsLine(first)}`);
  console.log(await firstDeployLine(fleet.region));
  if (first.exitCode !== 0) return false;

  console.log(`\n== deploy 2: release 2 (an additive migration) rolls out under load that writes ==\n`);
  const [second, load] = await underLoad(fleet, release2);
  printRun('deploy 2', second);
  console.log(`\n${migrationsLine(second)}`);
  console.log(`${zeroDowntimeLine(load)} (${byVersion(load)})`);
  return second.exitCode === 0 && load.failed === 0 && load.writesFailed === 0;
}

/** Deploy 3: its migration fails, and no instance may be replaced. */
async function failingMigration(fleet: RunningFleet, release3: string): Promise<boolean> {
  console.log(`\n== deploy 3: release 3's migration fails; no instance may be replaced ==\n`);
  const before = await inServiceInstances(fleet.region);
  const [third, load] = await underLoad(fleet, release3);
  printRun('deploy 3', third);
  const after = await inServiceInstances(fleet.region);
  const untouched = before.join(' ') === after.join(' ');
  console.log(`\n${migrationsLine(third)}`);
  console.log(`${zeroDowntimeLine(load)} (${byVersion(load)})`);
  console.log(
    `instances before deploy 3: ${before.join(', ')}; after: ${after.join(', ')} (${untouched ? 'none replaced' : 'REPLACED'})`,
  );
  const asExpected =
    third.outputs['failure-reason'] === 'migration-failed' &&
    untouched &&
    Object.keys(load.byVersion).join() === '2' &&
    load.failed === 0 &&
    load.writesFailed === 0;
  return verdict(
    asExpected,
    'deploy 3 failed as it must: its migration failed before any instance was replaced, and release 2 still serves.',
    'deploy 3 did not stop at its migration with release 2 serving.',
  );
}

/** Deploy 4: gunicorn cannot start; the real health checks must stop it. */
async function failingHealthChecks(fleet: RunningFleet, release4: string): Promise<boolean> {
  console.log(`\n== deploy 4: release 4 has a defect; real health checks must stop it ==\n`);
  // The preflight would stop this release on the runner; skipped so the fleet's own checks show.
  const [fourth, load] = await underLoad(fleet, release4, { preflight: 'false' });
  printRun('deploy 4', fourth);
  console.log(`\n${zeroDowntimeLine(load)} (${byVersion(load)})`);
  return verdict(
    fourth.outputs['failure-reason'] === 'rolled-back',
    'deploy 4 failed as it must: the group was rolled back to release 2 (see the reason codes and the app log above).',
    'deploy 4 was not rolled back.',
  );
}

/** Deploy 5: healthy, but it fails users; the release alarms must stop it. */
async function failingUsers(fleet: RunningFleet, release5: string): Promise<boolean> {
  console.log(
    `\n== deploy 5: release 5 passes its health checks but fails users; the release alarms must stop it ==\n`,
  );
  const fifth = await deployFailingRelease(fleet.region, '5', () =>
    // The stack's release alarms (deploy's default) and the 300 s bake.
    fleet.deploy(release5, { ...DEMO_INPUTS, 'rollback-alarms': '' }),
  );
  printRun('deploy 5', fifth.run);
  console.log(`\n${alarmRollbackLines(fifth, TIME_SCALE).join('\n')}`);
  return verdict(
    fifth.run.outputs['failure-reason'] === 'alarm-rolled-back',
    'deploy 5 failed as it must: a release alarm fired and AWS rolled the group back to release 2.',
    'deploy 5 was not rolled back by an alarm.',
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log(
    '== ha-django-deploy demo: the AWS region below is EMULATED (moto + a live data plane on 127.0.0.0/8), not AWS ==\n',
  );
  const fleet = await startLiveFleet('demo', TIME_SCALE, { database: true });
  const memory = memorySampler(fleet.region);
  try {
    const [release1, release2, release3, release4, release5] = buildReleases(fleet) as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (!(await goodReleases(fleet, release1, release2))) return 1;
    const verdicts = [
      await failingMigration(fleet, release3),
      await failingHealthChecks(fleet, release4),
      await failingUsers(fleet, release5),
    ];
    const peak = memory.stop();
    console.log(`\npeak memory of the region: ${peak.peakMiB} MiB with ${peak.instances} instances running`);
    console.log(`demo wall time: ${Math.round((Date.now() - started) / 1000)} s`);
    return verdicts.every(Boolean) ? 0 : 1;
  } finally {
    memory.stop();
    await fleet.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
