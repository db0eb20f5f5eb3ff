/**
 * A bad release caught by its health checks, on AWS's timing: time from its first failed request
 * (the load balancer's first failed health check of a new instance) to the action's rollback and to
 * the fleet serving the previous release again, and the users' failed requests meanwhile.
 *
 *   npx tsx bench/bad-release-verdict.ts [rounds, default 1]
 *
 * The emulated region's live data plane (real containers, real health checks, haproxy as the ALB)
 * runs the bundled Terraform stack (2 instances, grace 120 s, checks every 10 s, 3 failures to turn
 * unhealthy) with release 1; each round deploys a release whose /health/ answers 500 through the
 * action (`node dist/index.js`, deploy by digest, every rollout input at its default: 100/200,
 * auto-rollback, 30 min wait) while a bounded load generator (3 keep-alive clients, 20 ms apart)
 * sends GET /health/ through haproxy. The region runs as AWS documents: failing instances are
 * replaced and the refresh would retry for an hour; the figure under test is the action's fast
 * verdict. A watcher reads the region every 100 ms (real). Time scale 5: figures are simulated
 * seconds, as they would be against AWS.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
} from '@aws-sdk/client-auto-scaling';
import { buildAppRelease, HEALTH_ANSWERS_500 } from '../emulation/appReleases';
import type { EmulatedRegion } from '../emulation/region';
import { startLoad } from '../emulation/loadGenerator';
import { liveDeployInputs, withLiveFleet } from '../emulation/liveDeploy';
import { runAction } from '../emulation/runAction';

const TIME_SCALE = 5;
const WATCH_EVERY_MS = 100;

interface Moments {
  firstFailedCheck?: number;
  rollbackStarted?: number;
  rolledBack?: number;
}

/** Watches the region: a new instance's first failed check, then the refresh's rollback. */
function watchRelease(region: EmulatedRegion, asgName: string, oldInstances: Set<string>) {
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const moments: Moments = {};
  let watching = true;
  const done = (async () => {
    while (watching) {
      const plane = await region.dataPlane();
      const failedNew = Object.entries(plane.targets ?? {}).some(
        ([key, target]) =>
          !oldInstances.has(key.split(' ')[1] ?? '') && target.checks > 0 && target.state !== 'healthy',
      );
      if (failedNew) moments.firstFailedCheck ??= Date.now();
      const response = await autoScaling.send(
        new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: asgName, MaxRecords: 1 }),
      );
      const status = response.InstanceRefreshes?.[0]?.Status;
      if (status === 'RollbackInProgress') moments.rollbackStarted ??= Date.now();
      if (status === 'RollbackSuccessful') {
        moments.rollbackStarted ??= Date.now();
        moments.rolledBack ??= Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
    }
  })();
  return {
    moments,
    stop: async () => {
      watching = false;
      await done;
    },
  };
}

function simulatedSince(from: number | undefined, to: number | undefined): string {
  return from === undefined || to === undefined
    ? 'n/a'
    : `${Math.round(((to - from) / 1000) * TIME_SCALE)} s`;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? '1');
  return withLiveFleet('bench-bad-release', TIME_SCALE, async (fleet) => {
    const { region, runtime, dockerConfig } = fleet;
    const repository = `${runtime.registry}/bench/web`;
    const deploy = (image: string) =>
      runAction(liveDeployInputs(fleet, image, { preflight: 'false' }), fleet.actionEnv);
    const created = await deploy(buildAppRelease(runtime, dockerConfig, repository, '1', []).image);
    if (created.exitCode !== 0) throw new Error(`creating the stack failed:\n${created.stdout}`);
    const groups = await new AutoScalingClient(region.clientConfig).send(
      new DescribeAutoScalingGroupsCommand({}),
    );
    const asgName = groups.AutoScalingGroups?.[0]?.AutoScalingGroupName;
    if (!asgName) throw new Error('the stack has no Auto Scaling group');
    const { host, address } = await fleet.loadBalancer();

    console.log(
      'round | failure-reason | first failed check -> rollback asked | -> fleet on release 1 | requests | failed',
    );
    console.log(
      '------|----------------|--------------------------------------|-----------------------|----------|-------',
    );
    for (let round = 1; round <= rounds; round++) {
      const bad = buildAppRelease(runtime, dockerConfig, repository, String(round + 1), [HEALTH_ANSWERS_500]);
      const oldInstances = new Set(Object.keys((await region.dataPlane()).instances));
      const load = startLoad({
        address,
        host,
        concurrency: 3,
        maxRequests: 40_000,
        maxSeconds: 900,
        pauseMs: 20,
      });
      const watcher = watchRelease(region, asgName, oldInstances);
      const run = await deploy(bad.image);
      await watcher.stop();
      const result = await load.stop();
      const { moments } = watcher;
      console.log(
        `${String(round).padStart(5)} | ${(run.outputs['failure-reason'] ?? '').padEnd(14)} | ${simulatedSince(moments.firstFailedCheck, moments.rollbackStarted).padStart(36)} | ${simulatedSince(moments.firstFailedCheck, moments.rolledBack).padStart(21)} | ${String(result.requests).padStart(8)} | ${String(result.failed).padStart(6)}`,
      );
      if (result.failures.length) console.log(`  failures: ${result.failures.join('; ')}`);
      const verdict = /Fast verdict: [^\n]*/.exec(run.stdout)?.[0];
      console.log(`  ${verdict ?? 'no fast verdict in the log'}`);
    }
    console.log(
      '\nWithout the fast verdict, AWS retries for 3600 s before the refresh fails and rolls back.',
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
