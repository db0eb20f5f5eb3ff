/**
 * How fast the action notices a finished rollout, and how hard it polls AWS meanwhile.
 *
 *   npx tsx bench/rollout-detection.ts
 *
 * Runs `node dist/index.js` (command rollout) against the emulated region (time scale 10) for
 * several poll intervals. A watcher outside the action polls the region every 50 ms and records
 * the moment the refresh is Successful and every target on the new version is healthy; detection
 * latency is from that moment to the action's exit (including its smoke check and process exit).
 * Every AWS request goes through a counting proxy on 127.0.0.1, so calls per minute are measured,
 * not estimated. Figures are real seconds on this machine; on AWS the same intervals apply.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulatedRegion, type EmulatedRegion } from '../emulation/region';
import { startHealthServer } from '../emulation/healthServer';
import { runAction } from '../emulation/runAction';
import { seedRegion, type SeededStack } from '../emulation/seedRegion';

const POLL_INTERVALS_SECONDS = [1, 2, 5];
/** Slow enough that a rollout spans several poll intervals, fast enough to bench in a minute. */
const TIME_SCALE = 10;

/** Forwards to the region and counts requests by API action. */
async function startCountingProxy(target: string) {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString())?.[1] ?? 'other';
      counts.set(action, (counts.get(action) ?? 0) + 1);
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Resolves with the real time at which the rollout is done as AWS would report it. */
async function watchUntilDone(
  region: EmulatedRegion,
  stack: SeededStack,
  stop: AbortSignal,
): Promise<number> {
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const elbv2 = new ElasticLoadBalancingV2Client(region.clientConfig);
  const newVersion = String(stack.versions[1]);
  while (!stop.aborted) {
    const [refreshes, groups, health] = await Promise.all([
      autoScaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: stack.asgName })),
      autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] })),
      elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: stack.targetGroupArn })),
    ]);
    const onNewVersion = new Set(
      (groups.AutoScalingGroups?.[0]?.Instances ?? [])
        .filter((instance) => instance.LaunchTemplate?.Version === newVersion)
        .map((instance) => instance.InstanceId),
    );
    const targets = health.TargetHealthDescriptions ?? [];
    const healthyNew = targets.filter(
      (target) => target.TargetHealth?.State === 'healthy' && onNewVersion.has(target.Target?.Id),
    ).length;
    // The action's own criterion: old targets may still be draining, none may be unhealthy.
    const done =
      refreshes.InstanceRefreshes?.[0]?.Status === 'Successful' &&
      healthyNew >= 2 &&
      targets.every((target) => target.TargetHealth?.State !== 'unhealthy');
    if (done) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.NaN;
}

async function measure(region: EmulatedRegion, app: { url: string }, pollSeconds: number) {
  await region.reset();
  const stack = await seedRegion(region, { healthCheckGracePeriod: 30 });
  const proxy = await startCountingProxy(region.endpoint);
  const stopWatching = new AbortController();
  const done = watchUntilDone(region, stack, stopWatching.signal);
  const started = performance.now();
  const run = await runAction({
    command: 'rollout',
    'aws-region': region.region,
    'aws-endpoint-url': proxy.url,
    'asg-name': stack.asgName,
    'instance-warmup': '30',
    'poll-interval-seconds': String(pollSeconds),
    'app-url': app.url,
  });
  const exited = performance.now();
  const watchLimit = setTimeout(() => {
    stopWatching.abort();
  }, 10_000);
  const doneAt = await done;
  clearTimeout(watchLimit);
  await proxy.close();
  if (run.exitCode !== 0) throw new Error(`the rollout failed:\n${run.stdout}`);
  const calls = [...proxy.counts.values()].reduce((sum, count) => sum + count, 0);
  const minutes = (exited - started) / 60_000;
  return {
    pollSeconds,
    totalSeconds: (exited - started) / 1000,
    latencySeconds: (exited - doneAt) / 1000,
    calls,
    callsPerMinute: calls / minutes,
    byAction: Object.fromEntries([...proxy.counts.entries()].sort(([a], [b]) => a.localeCompare(b))),
  };
}

async function main(): Promise<void> {
  const region = await startEmulatedRegion({ timeScale: TIME_SCALE });
  const app = await startHealthServer();
  try {
    console.log(
      `Rollout detection against the EMULATED region (time scale ${TIME_SCALE}; 2 instances, min 100 / max 200)\n`,
    );
    console.log('poll interval | rollout total | detection latency | AWS calls | calls/min');
    for (const pollSeconds of POLL_INTERVALS_SECONDS) {
      const result = await measure(region, app, pollSeconds);
      console.log(
        `${`${pollSeconds} s`.padStart(13)} | ${`${result.totalSeconds.toFixed(1)} s`.padStart(13)} | ` +
          `${`${result.latencySeconds.toFixed(2)} s`.padStart(17)} | ${String(result.calls).padStart(9)} | ` +
          result.callsPerMinute.toFixed(0).padStart(9),
      );
      console.log(`${''.padStart(13)}   calls by action: ${JSON.stringify(result.byAction)}`);
    }
    console.log(
      '\nDetection latency is bounded by one poll interval plus the smoke check; calls per minute scale with 1/interval' +
        ' (the default 10 s interval keeps a rollout far below the Auto Scaling and ELB API rate limits).',
    );
  } finally {
    await app.close();
    await region.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
