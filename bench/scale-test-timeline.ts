/**
 * The timeline of one scale test in the emulated region.
 *
 *   npx tsx bench/scale-test-timeline.ts
 *
 * Runs `node dist/index.js` (command scale-test) against the emulated region: two instances whose
 * OS is a real container capped at 0.1 CPU, a CPU target tracking policy at 40%, the burn sent
 * through Run Command, CPU measured from the containers' cgroups and published every simulated
 * minute (AWS's period; the alarm needs 3 datapoints), at the region's time scale (100: 0.6 s
 * real). The action runs on the region's clock, so the timeline and outputs are simulated seconds,
 * comparable with AWS's (the alarm alone takes 3 minutes there); the wall clock is printed too.
 *
 * Also prints each instance's own CPU (the region's CPUUtilization per InstanceId, measured from
 * its container's cgroup against its cap): idle before the burn, and its peak under the burn. How
 * close the burn gets to the cap depends on what else the machine runs, which is why this is a
 * figure here and not a test's assertion.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startContainerRuntime } from '../emulation/containerRuntime';
import { startEmulatedRegion } from '../emulation/region';
import { runAction } from '../emulation/runAction';
import { createScaleTestFleet, emulatedScaleTestInputs } from '../emulation/scaleTestFleet';
import { seedRegion } from '../emulation/seedRegion';

const CPU_CAP = 0.1;
// Real seconds: 5 simulated minutes at the time scale 100, short of the 15 low datapoints that would
// scale an idle group in before the test.
const IDLE_SECONDS = 3;

/** One instance's CPUUtilization datapoints between two moments: their average and maximum. */
async function instanceCpu(
  cloudWatch: CloudWatchClient,
  instanceId: string,
  since: Date,
  until: Date,
): Promise<string> {
  const { Datapoints: points = [] } = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
      StartTime: since,
      EndTime: until,
      Period: 86400, // one bucket for the whole window (simulated: hours at the region's scale)
      Statistics: ['Average', 'Maximum'],
    }),
  );
  const [point] = points;
  if (!point) return 'no datapoint';
  return `average ${point.Average?.toFixed(1)}%, max ${point.Maximum?.toFixed(1)}%`;
}

async function main(): Promise<void> {
  const runtime = await startContainerRuntime();
  process.env.DOCKER_HOST = runtime.dockerHost;
  const region = await startEmulatedRegion();
  const fleet = createScaleTestFleet(runtime, region);
  try {
    const stack = await seedRegion(region, { desiredCapacity: 2 });
    const instanceIds = await fleet.bootInstances(stack, ['--cpus', String(CPU_CAP)]);
    await fleet.putCpuPolicy(stack, 40);
    const idleSince = region.simulatedNow();
    await new Promise((wait) => setTimeout(wait, IDLE_SECONDS * 1000));
    const burnSince = region.simulatedNow();
    const started = Date.now();
    const result = await runAction(emulatedScaleTestInputs(region, stack), region.actionClockEnv());
    const wall = (Date.now() - started) / 1000;
    const timeline = /```text\n([\s\S]*?)```/.exec(result.summary)?.[1] ?? '(no timeline)';
    console.log(`exit code ${result.exitCode}, ${wall.toFixed(1)} s wall clock\n`);
    console.log(timeline);
    for (const name of [
      'time-to-alarm-seconds',
      'time-to-scale-out-seconds',
      'time-to-serving-seconds',
      'peak-cpu',
      'capacity-before',
      'capacity-after',
    ]) {
      console.log(`${name.padEnd(26)} ${result.outputs[name] ?? ''}`);
    }
    console.log(
      result.stdout
        .split('\n')
        .filter((line) => /load (stopped|on)/.test(line))
        .join('\n'),
    );
    console.log(`burn processes left        ${(await fleet.burnProcessesLeft()).length}`);
    const cloudWatch = new CloudWatchClient(region.clientConfig);
    for (const instanceId of instanceIds) {
      const idle = await instanceCpu(cloudWatch, instanceId, idleSince, burnSince);
      const burn = await instanceCpu(cloudWatch, instanceId, burnSince, region.simulatedNow());
      console.log(`${instanceId} CPU of its ${CPU_CAP} CPU cap: idle ${idle}; under the burn ${burn}`);
    }
  } finally {
    await region.stop();
    await fleet.removeContainers();
  }
}

void main();
