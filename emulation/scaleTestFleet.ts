import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-auto-scaling';
import type { ContainerRuntime } from './containerRuntime';
import type { EmulatedRegion } from './region';
import type { SeededStack } from './seedRegion';

const run = promisify(execFile);

/**
 * The inputs of a scale test of a seeded group, on the region's clock (pass
 * `region.actionClockEnv()` too): simulated, ten alarm evaluations' worth of load, a 150 minute
 * watch (90 s real at the default time scale 100), a sample per simulated minute.
 */
export function emulatedScaleTestInputs(
  region: EmulatedRegion,
  stack: SeededStack,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    command: 'scale-test',
    'aws-region': region.region,
    'aws-endpoint-url': region.endpoint,
    'asg-name': stack.asgName,
    'stress-duration-seconds': '1800',
    'scale-test-timeout-minutes': '150',
    'poll-interval-seconds': '60',
    ...extra,
  };
}

/**
 * Real operating systems for a seeded group's instances, without the live data plane: one
 * container per InService instance (prefixed `scaletest-`), attached to it in the emulated region,
 * so Run Command executes in it and its cgroup is the instance's CPU.
 */
export function createScaleTestFleet(runtime: ContainerRuntime, region: EmulatedRegion) {
  const containers: string[] = [];
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const docker = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('docker', args, {
      env: { ...process.env, DOCKER_HOST: runtime.dockerHost },
      timeout: 120_000,
    });
    return stdout.trim();
  };
  return {
    /** Gives every InService instance of the group a container with these CPU options. */
    async bootInstances(stack: SeededStack, cpuOptions: string[]): Promise<string[]> {
      const group = await autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }),
      );
      const ids = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((instance) => instance.InstanceId!);
      for (const instanceId of ids) {
        const name = `scaletest-${randomBytes(4).toString('hex')}`;
        await docker('run', '-d', '--name', name, ...cpuOptions, runtime.baseImage, 'sleep', '900');
        containers.push(name);
        await region.control('/_harness/instance-host', { instanceId, container: name });
      }
      return ids;
    },
    /** The target tracking policy the bundled stack creates, on ASGAverageCPUUtilization. */
    async putCpuPolicy(stack: SeededStack, targetValue: number, disableScaleIn = false): Promise<void> {
      await autoScaling.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: stack.asgName,
          PolicyName: `${stack.asgName}-cpu-target`,
          PolicyType: 'TargetTrackingScaling',
          EstimatedInstanceWarmup: 0,
          TargetTrackingConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
            TargetValue: targetValue,
            DisableScaleIn: disableScaleIn,
          },
        }),
      );
    },
    /** Host pids of processes this region's Run Commands started that still run. */
    async burnProcessesLeft(): Promise<number[]> {
      const { runCommandPids } = await region.control<{ runCommandPids: number[] }>(
        '/_harness/run-command-processes',
      );
      return runCommandPids;
    },
    async removeContainers(): Promise<void> {
      if (containers.length > 0) await docker('rm', '-f', ...containers.splice(0));
    },
  };
}
