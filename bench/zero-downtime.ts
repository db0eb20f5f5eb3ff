/**
 * Requests and failures during a real rollout, measured on the emulated region's live data plane:
 * the bundled settings (MinHealthyPercentage 100, MaxHealthyPercentage 200: launch before
 * terminate) beside AWS's instance refresh defaults (90/100: with 2 instances, terminate one first).
 *
 *   npx tsx bench/zero-downtime.ts [rounds per setting, default 1]
 *
 * One stack (the bundled Terraform, 2 instances of the real app) is created with release 1; then
 * each round rolls a new release through the action (`node dist/index.js`, deploy by digest) while
 * a bounded load generator (3 keep-alive clients, 20 ms apart) sends GET /health/ through the
 * load balancer (haproxy for the ALB's DNS name). Time scale 5 for health checks, warmup and
 * draining; gunicorn's own graceful shutdown runs in real time. Prints requests, failed requests,
 * the answers per release, rollout wall time and the region's peak memory.
 */
import { ANNOUNCE_RELEASE, buildAppRelease } from '../emulation/appReleases';
import { startLoad, zeroDowntimeLine } from '../emulation/loadGenerator';
import { liveDeployInputs, memorySampler, startLiveFleet } from '../emulation/liveDeploy';
import { runAction } from '../emulation/runAction';

const SETTINGS = [
  { name: 'bundled 100/200', min: '100', max: '200' },
  { name: 'AWS defaults 90/100', min: '90', max: '100' },
];

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? '1');
  // The fleet reads Terraform's environment once, up front (`actionEnv`): it runs a shell
  // synchronously, which must not stall the load generator (same event loop) mid-rollout.
  const fleet = await startLiveFleet('bench-zero-downtime', 5);
  const { runtime, dockerConfig } = fleet;
  const memory = memorySampler(fleet.region);
  try {
    const repository = `${runtime.registry}/bench/web`;
    const deploy = (image: string, min: string, max: string) =>
      runAction(
        liveDeployInputs(fleet, image, {
          'poll-interval-seconds': '0.5',
          'wait-timeout-minutes': '10',
          'min-healthy-percentage': min,
          'max-healthy-percentage': max,
        }),
        fleet.actionEnv,
      );
    let releases = 0;
    // Release 1 is app/ as it is; every later one carries a code change (and its own version).
    const build = () => {
      releases++;
      return buildAppRelease(
        runtime,
        dockerConfig,
        repository,
        String(releases),
        releases > 1 ? [ANNOUNCE_RELEASE] : [],
      );
    };
    const created = await deploy(build().image, '100', '200');
    if (created.exitCode !== 0) throw new Error(`creating the stack failed:\n${created.stdout}`);
    const { host, address } = await fleet.loadBalancer();

    console.log('setting              | requests | failed | answers by release        | rollout wall time');
    console.log('---------------------|----------|--------|---------------------------|------------------');
    for (let round = 0; round < rounds; round++) {
      for (const setting of SETTINGS) {
        const next = build();
        const load = startLoad({
          address,
          host,
          concurrency: 3,
          maxRequests: 20_000,
          maxSeconds: 600,
          pauseMs: 20,
        });
        const started = Date.now();
        const run = await deploy(next.image, setting.min, setting.max);
        const seconds = Math.round((Date.now() - started) / 1000);
        const result = await load.stop();
        if (run.exitCode !== 0) throw new Error(`${setting.name}: the rollout failed:\n${run.stdout}`);
        const answers = Object.entries(result.byVersion)
          .map(([version, count]) => `r${version}: ${count}`)
          .join(', ');
        console.log(
          `${setting.name.padEnd(20)} | ${String(result.requests).padStart(8)} | ${String(result.failed).padStart(6)} | ${answers.padEnd(25)} | ${seconds} s (refresh ${run.outputs['rollout-seconds'] ?? '?'} s)`,
        );
        console.log(
          `  ${setting.name}: ${zeroDowntimeLine(result)}${result.failures.length ? `; ${result.failures.join('; ')}` : ''}`,
        );
      }
    }
    const peak = memory.stop();
    console.log(`\npeak memory of the region: ${peak.peakMiB} MiB with ${peak.instances} instances running`);
  } finally {
    memory.stop();
    await fleet.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
