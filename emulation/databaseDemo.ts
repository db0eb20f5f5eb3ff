import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatedRegion } from './region';
import type { ActionRun } from './runAction';

/**
 * What the demo and the database suites print about a deploy's database side: the action's own
 * `migrations:` line (what ran and how long it took), the first deploy's start-time check (the
 * app refusing to start until its migration landed) and which instances serve.
 */

/** The app's one line when the database lacks a migration its code needs (app/hadjango/startup.py). */
const REFUSED_TO_START = 'refusing to start';

/** The action's `migrations:` line, or why there is none (the step failed, or was off). */
export function migrationsLine(run: ActionRun): string {
  const ran = /^(migrations: .+)$/m.exec(run.stdout)?.[1];
  if (ran) return ran.trim();
  const reason = run.outputs['failure-reason'];
  if (reason?.startsWith('migration')) return `migrations: none applied (failure-reason ${reason})`;
  return 'migrations: none ran (no migration step in this deploy)';
}

/**
 * How often each instance's app container refused to start before its migration landed (its
 * container log, as the awslogs driver's stream holds it), and whether it serves now: the first
 * deploy must not deadlock between that check and a migration that needs an instance to run on.
 */
export async function firstDeployLine(region: EmulatedRegion): Promise<string> {
  const state = await region.dataPlane();
  const running = Object.values(state.instances).filter((instance) => !instance.stopped);
  const refusals = running.map((instance) => {
    const log = join(instance.directory, 'container.log');
    const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
    return { id: instance.instanceId, refused: lines.filter((line) => line.includes(REFUSED_TO_START)) };
  });
  const counts = refusals.map(({ id, refused }) => `${refused.length} time(s) on ${id}`).join(', ');
  const example = refusals.flatMap(({ refused }) => refused)[0];
  const quoted = example
    ? ` ("${example.slice(example.indexOf('hadjango:'), example.indexOf('; refusing'))}")`
    : '';
  return `first deploy: the app refused to start ${counts}${quoted} until the release stage migrated on the first InService instance; then the fleet served`;
}

/**
 * The InService instances of the region's Auto Scaling groups, sorted: unchanged across a deploy
 * means none was replaced (instances of an earlier rollout that are still draining are not counted).
 */
export async function inServiceInstances(region: EmulatedRegion): Promise<string[]> {
  const groups = await new AutoScalingClient(region.clientConfig).send(
    new DescribeAutoScalingGroupsCommand({}),
  );
  return (groups.AutoScalingGroups ?? [])
    .flatMap((group) => group.Instances ?? [])
    .filter((instance) => instance.LifecycleState === 'InService')
    .map((instance) => instance.InstanceId ?? '?')
    .sort();
}
