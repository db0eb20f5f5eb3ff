/**
 * How fast the action notices a finished rollout, and how many AWS calls it makes meanwhile, at
 * the action's defaults.
 *
 *   npx tsx bench/rollout-detection.ts [runs per scenario, default 4]
 *
 * Runs `node dist/index.js` (command rollout, every wait input at its default) against the
 * emulated region with the action's clock on the region's time (TIME_SCALE simulated seconds per
 * real second), so a 5 s poll is 5 simulated seconds, as it would be 5 s against AWS. The group is
 * seeded like the bundled stack: 2 instances, warmup 30 s, grace 120 s, targets healthy 20 s after
 * registration (interval 10 s x threshold 2); a second scenario stands for an app that needs 90 s
 * to answer its health check. A watcher outside the action polls the region every 20 ms (real)
 * and records the moment the refresh is Successful and both new targets are healthy; every AWS
 * request of the action goes through a counting proxy on 127.0.0.1 that stamps each answer, so the
 * moment the action has noticed is its last AWS answer (the verdict's reads), not its exit.
 * Figures are simulated seconds and calls per simulated minute; "while waiting" counts the calls
 * after StartInstanceRefresh, over the time from it to the verdict. A rollout shorter than a
 * minute has "overall" above its busiest minute: the inspection's calls divided by under a minute.
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

/** Slow enough that the action's process overhead stays small in simulated time. */
const TIME_SCALE = 5;
const WATCH_EVERY_MS = 20;

const SCENARIOS = [
  { name: 'bundled stack defaults (healthy 20 s after registration)', healthCheckSeconds: 20 },
  { name: 'an app that needs 90 s to answer its health check', healthCheckSeconds: 90 },
];

interface ProxiedCall {
  action: string;
  answeredAt: number;
}

/** Forwards to the region and records each request's API action and when its answer came back. */
async function startCountingProxy(target: string) {
  const calls: ProxiedCall[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString())?.[1] ?? 'other';
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
          answer.on('end', () => calls.push({ action, answeredAt: performance.now() }));
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
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
    await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
  }
  return Number.NaN;
}

/** The most calls in any 60 simulated seconds. */
function busiestMinute(times: number[]): number {
  return Math.max(0, ...times.map((start) => times.filter((at) => at >= start && at < start + 60).length));
}

async function measure(region: EmulatedRegion, app: { url: string }, healthCheckSeconds: number) {
  await region.reset();
  const stack = await seedRegion(region, { healthCheckGracePeriod: 120, defaultInstanceWarmup: 30 });
  await region.settings({ healthCheckSeconds });
  const proxy = await startCountingProxy(region.endpoint);
  const stopWatching = new AbortController();
  const done = watchUntilDone(region, stack, stopWatching.signal);
  const run = await runAction(
    {
      command: 'rollout',
      'aws-region': region.region,
      'aws-endpoint-url': proxy.url,
      'asg-name': stack.asgName,
      'app-url': app.url,
    },
    region.actionClockEnv(),
  );
  const watchLimit = setTimeout(() => {
    stopWatching.abort();
  }, 10_000);
  const doneAt = await done;
  clearTimeout(watchLimit);
  await proxy.close();
  if (run.exitCode !== 0) throw new Error(`the rollout failed:\n${run.stdout}`);
  const first = proxy.calls[0]?.answeredAt ?? Number.NaN;
  const simulated = (realMs: number) => ((realMs - first) / 1000) * TIME_SCALE;
  const times = proxy.calls.map((call) => simulated(call.answeredAt));
  const noticedAt = times.at(-1) ?? Number.NaN;
  const byAction = new Map<string, number>();
  for (const call of proxy.calls) byAction.set(call.action, (byAction.get(call.action) ?? 0) + 1);
  const startedAt = times[proxy.calls.findIndex((call) => call.action === 'StartInstanceRefresh')] ?? 0;
  const waiting = times.filter((at) => at > startedAt);
  return {
    latencySeconds: noticedAt - simulated(doneAt),
    waitingCallsPerMinute: waiting.length / ((noticedAt - startedAt) / 60),
    rolloutSeconds: noticedAt,
    calls: proxy.calls.length,
    callsPerMinute: proxy.calls.length / (noticedAt / 60),
    busiestMinute: busiestMinute(times),
    byAction: Object.fromEntries([...byAction.entries()].sort(([a], [b]) => a.localeCompare(b))),
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 4);
  const region = await startEmulatedRegion({ timeScale: TIME_SCALE });
  const app = await startHealthServer();
  try {
    console.log(
      `Rollout detection at the action's defaults against the EMULATED region (time scale ${TIME_SCALE}, action clock on region time; ${runs} runs per scenario; simulated seconds)\n`,
    );
    for (const scenario of SCENARIOS) {
      console.log(scenario.name);
      console.log(
        '  run | rollout | detection latency | AWS calls | calls/min overall | calls/min while waiting | busiest minute',
      );
      const results = [];
      for (let i = 1; i <= runs; i++) {
        const result = await measure(region, app, scenario.healthCheckSeconds);
        results.push(result);
        console.log(
          `  ${String(i).padStart(3)} | ${`${result.rolloutSeconds.toFixed(0)} s`.padStart(7)} | ` +
            `${`${result.latencySeconds.toFixed(2)} s`.padStart(17)} | ${String(result.calls).padStart(9)} | ` +
            `${result.callsPerMinute.toFixed(1).padStart(17)} | ${result.waitingCallsPerMinute.toFixed(1).padStart(23)} | ` +
            String(result.busiestMinute).padStart(14),
        );
        console.log(`        calls by action: ${JSON.stringify(result.byAction)}`);
      }
      const latencies = results.map((result) => result.latencySeconds);
      console.log(
        `  detection latency: min ${quantile(latencies, 0).toFixed(2)} s, median ${quantile(latencies, 0.5).toFixed(2)} s, max ${Math.max(...latencies).toFixed(2)} s; ` +
          `calls/min overall: max ${Math.max(...results.map((result) => result.callsPerMinute)).toFixed(1)}; ` +
          `while waiting (after StartInstanceRefresh): max ${Math.max(...results.map((result) => result.waitingCallsPerMinute)).toFixed(1)}; ` +
          `busiest minute: max ${Math.max(...results.map((result) => result.busiestMinute))} calls\n`,
      );
    }
  } finally {
    await app.close();
    await region.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
