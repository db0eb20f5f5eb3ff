/**
 * The set-up every rollout suite through the action's bundle shares: an emulated region and an app
 * health server for the whole file, a freshly seeded stack before each test, and `rollout()`, which
 * runs `node dist/index.js` on the region's clock (`region.actionClockEnv()`), so a 30 minute
 * budget is 30 simulated minutes.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  type AutoScalingGroup,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import { startHealthServer } from '../../emulation/healthServer';
import { runAction, type ActionRun } from '../../emulation/runAction';
import { seedRegion, type SeededStack } from '../../emulation/seedRegion';

export interface RolloutRig {
  readonly region: EmulatedRegion;
  readonly health: Awaited<ReturnType<typeof startHealthServer>>;
  readonly stack: SeededStack;
  readonly autoScaling: AutoScalingClient;
  /** Runs the rollout command on the seeded group: the rig's inputs, then the suite's, then `extra`. */
  readonly rollout: (extra?: Record<string, string>) => Promise<ActionRun>;
  /** The seeded group as AWS describes it now. */
  readonly group: () => Promise<AutoScalingGroup>;
  /** The seeded group's instance refreshes, newest first. */
  readonly refreshes: () => Promise<InstanceRefresh[]>;
}

/**
 * Registers the suite's beforeAll/afterAll/beforeEach (call it at the top of a test file) and
 * returns the rig, whose fields hold once those have run. `inputs` are the suite's own defaults.
 */
export function useRolloutRig(inputs: Record<string, string> = {}): RolloutRig {
  let region: EmulatedRegion | undefined;
  let health: RolloutRig['health'] | undefined;
  let stack: SeededStack | undefined;
  let autoScaling: AutoScalingClient | undefined;

  beforeAll(async () => {
    region = await startEmulatedRegion();
    health = await startHealthServer();
    autoScaling = new AutoScalingClient(region.clientConfig);
  });

  afterAll(async () => {
    await health?.close();
    await region?.stop();
  });

  beforeEach(async () => {
    await ready(region).reset();
    ready(health).reset();
    stack = await seedRegion(ready(region), { healthCheckGracePeriod: 30 });
  });

  const rig: RolloutRig = {
    get region() {
      return ready(region);
    },
    get health() {
      return ready(health);
    },
    get stack() {
      return ready(stack);
    },
    get autoScaling() {
      return ready(autoScaling);
    },
    rollout: (extra = {}) => {
      const inputsForRun = {
        command: 'rollout',
        'aws-region': rig.region.region,
        'aws-endpoint-url': rig.region.endpoint,
        'asg-name': rig.stack.asgName,
        'app-url': rig.health.url,
        ...inputs,
        ...extra,
      };
      return runAction(inputsForRun, rig.region.actionClockEnv());
    },
    group: async () => {
      const response = await rig.autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [rig.stack.asgName] }),
      );
      return response.AutoScalingGroups![0]!;
    },
    refreshes: async () => {
      const response = await rig.autoScaling.send(
        new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: rig.stack.asgName }),
      );
      return response.InstanceRefreshes ?? [];
    },
  };
  return rig;
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the rollout rig is used before its beforeAll/beforeEach ran');
  return value;
}
