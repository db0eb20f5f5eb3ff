/**
 * The README's first command: the whole `deploy` pipeline through the action's bundle,
 * `node dist/index.js`, on this machine only, against an EMULATED AWS region with a LIVE data plane:
 * - the real app from app/, built three times with docker (podman's Docker API) and pushed to an
 *   authenticated registry on 127.0.0.1: release 1, release 2 (a code change), release 3 (a
 *   defect: its gunicorn config reads a variable the stack does not set, so gunicorn cannot start),
 *   release 4 (a defect only users see: its home page answers 500 to one request in four);
 * - the bundled Terraform applied by the real CLI into the emulated region (moto plus the harness
 *   in emulation/region), its state in the region's S3;
 * - every instance boots the launch template's real user-data and runs the release's container on
 *   its own loopback address; the ALB's health checks are real HTTP; the ALB itself is an haproxy
 *   on a loopback address that its DNS name resolves to for the action (emulation/dns.cjs);
 * - while releases 2 and 3 roll out, a bounded load generator sends requests through that load
 *   balancer and the demo prints how many failed.
 * - release 4 rolls out under load on the home page: the stack's release alarms (the 5xx share of
 *   requests, from the real haproxy's request log) fire during the refresh or its bake, AWS rolls it
 *   back, and the demo prints the failed requests and the time until release 2 served again.
 * Health check intervals, warmup and draining run 5x faster (the region's documented time scale);
 * thresholds are as configured. No AWS account, DockerHub or GitHub is touched.
 */
import { alarmRollbackLines, deployFailingRelease } from '../emulation/alarmRollback';
import { startLoad, zeroDowntimeLine, type LoadResult } from '../emulation/loadGenerator';
import {
  ANNOUNCE_RELEASE,
  buildAppRelease,
  GUNICORN_NEEDS_MISSING_VARIABLE,
  HOME_FAILS_ONE_IN_FOUR,
} from '../emulation/appReleases';
import { memorySampler, startLiveFleet } from '../emulation/liveDeploy';
import { printRun, type ActionRun } from '../emulation/runAction';

const TIME_SCALE = 5;

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
  const fleet = await startLiveFleet('demo', TIME_SCALE);
  const memory = memorySampler(fleet.region);
  try {
    const repository = `${fleet.runtime.registry}/demo/web`;
    console.log('building app/ four times (docker build, push to the local registry)...');
    const { runtime, dockerConfig } = fleet;
    const releases = [
      buildAppRelease(runtime, dockerConfig, repository, '1'),
      buildAppRelease(runtime, dockerConfig, repository, '2', [ANNOUNCE_RELEASE]),
      buildAppRelease(runtime, dockerConfig, repository, '3', [GUNICORN_NEEDS_MISSING_VARIABLE]),
      buildAppRelease(runtime, dockerConfig, repository, '4', HOME_FAILS_ONE_IN_FOUR),
    ];
    for (const release of releases) console.log(`  release ${release.version}: ${release.image}`);
    const [release1, release2, release3, release4] = releases.map((release) => release.image) as [
      string,
      string,
      string,
      string,
    ];
    const underLoad = async (
      image: string,
      extra: Record<string, string> = {},
    ): Promise<[ActionRun, LoadResult]> => {
      const load = startLoad({
        ...(await fleet.loadBalancer()),
        concurrency: 3,
        maxRequests: 20_000,
        maxSeconds: 600,
        pauseMs: 20,
      });
      const rolloutStarted = Date.now();
      const run = await fleet.deploy(image, extra);
      const result = await load.stop();
      console.log(`\n(deploy wall time ${Math.round((Date.now() - rolloutStarted) / 1000)} s)`);
      return [run, result];
    };

    console.log(`\n== deploy 1: release 1 creates the stack ==\n`);
    const first = await fleet.deploy(release1);
    printRun('deploy 1', first);
    if (first.exitCode !== 0) return first.exitCode;

    console.log(`\n== deploy 2: release 2 rolls out through an instance refresh, under load ==\n`);
    const [second, secondLoad] = await underLoad(release2);
    printRun('deploy 2', second);
    console.log(`\n${zeroDowntimeLine(secondLoad)} (${byVersion(secondLoad)})`);
    if (second.exitCode !== 0) return second.exitCode;

    console.log(`\n== deploy 3: release 3 has a defect; real health checks must stop it ==\n`);
    // The preflight would stop this release on the runner; skipped so the fleet's own checks show.
    const [third, thirdLoad] = await underLoad(release3, { preflight: 'false' });
    printRun('deploy 3', third);
    console.log(`\n${zeroDowntimeLine(thirdLoad)} (${byVersion(thirdLoad)})`);

    console.log(
      `\n== deploy 4: release 4 passes its health checks but fails users; the release alarms must stop it ==\n`,
    );
    const fourth = await deployFailingRelease(fleet.region, '4', () =>
      // The stack's release alarms (deploy's default) and the 300 s bake.
      fleet.deploy(release4, { 'rollback-alarms': '' }),
    );
    printRun('deploy 4', fourth.run);
    console.log(`\n${alarmRollbackLines(fourth, TIME_SCALE).join('\n')}`);

    const peak = memory.stop();
    console.log(`\npeak memory of the region: ${peak.peakMiB} MiB with ${peak.instances} instances running`);
    console.log(`demo wall time: ${Math.round((Date.now() - started) / 1000)} s`);
    const thirdRolledBack = third.outputs['failure-reason'] === 'rolled-back';
    const fourthRolledBack = fourth.run.outputs['failure-reason'] === 'alarm-rolled-back';
    console.log(
      thirdRolledBack
        ? '\ndeploy 3 failed as it must: AWS rolled the group back to release 2 (see the reason codes and the app log above).'
        : '\nUNEXPECTED: deploy 3 was not rolled back.',
    );
    console.log(
      fourthRolledBack
        ? 'deploy 4 failed as it must: a release alarm fired and AWS rolled the group back to release 2.'
        : 'UNEXPECTED: deploy 4 was not rolled back by an alarm.',
    );
    return thirdRolledBack && fourthRolledBack && secondLoad.failed === 0 ? 0 : 1;
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
