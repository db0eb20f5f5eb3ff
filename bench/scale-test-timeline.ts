/**
 * The timeline of one scale test in the emulated region.
 *
 *   npx tsx bench/scale-test-timeline.ts
 *
 * Runs `node dist/index.js` (command scale-test) against the emulated region: two instances whose
 * OS is a real container capped at 0.1 CPU, a CPU target tracking policy at 40%, the burn sent
 * through Run Command, CPU measured from the containers' cgroups and published every 2 s (the
 * harness's compressed stand-in for AWS's 60 s period; the alarm needs 3 datapoints). Prints the
 * job summary's timeline and the outputs. Figures are real seconds on this machine: on AWS the
 * alarm alone takes 3 minutes and a new instance 1-3 minutes to boot and pass its checks.
 */
import { startContainerRuntime } from '../emulation/containerRuntime';
import { startEmulatedRegion } from '../emulation/region';
import { runAction } from '../emulation/runAction';
import { createScaleTestFleet } from '../emulation/scaleTestFleet';
import { seedRegion } from '../emulation/seedRegion';

async function main(): Promise<void> {
  const runtime = await startContainerRuntime();
  process.env.DOCKER_HOST = runtime.dockerHost;
  const region = await startEmulatedRegion();
  const fleet = createScaleTestFleet(runtime, region);
  try {
    const stack = await seedRegion(region, { desiredCapacity: 2 });
    await fleet.bootInstances(stack, ['--cpus', '0.1']);
    await fleet.putCpuPolicy(stack, 40);
    const started = Date.now();
    const result = await runAction({
      command: 'scale-test',
      'aws-region': region.region,
      'aws-endpoint-url': region.endpoint,
      'asg-name': stack.asgName,
      'stress-duration-seconds': '90',
      'scale-test-timeout-minutes': '1.5',
      'poll-interval-seconds': '1',
    });
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
  } finally {
    await region.stop();
    await fleet.removeContainers();
  }
}

void main();
