/**
 * Issue 21, a verdict on AWS's real timing, through the action's bundle (`node dist/index.js`)
 * against the emulated region, whose refresh now behaves as AWS documents: new instances that fail
 * their health checks are marked Unhealthy and replaced, and the refresh retries for an hour before
 * it fails (and only then rolls back with AutoRollback). The action's clock follows the region's
 * (`region.actionClockEnv()`), so the default 30 minute wait is 30 simulated minutes.
 */
import { DEPLOYED_COMMIT } from '../../emulation/healthServer';
import { useRolloutRig } from '../support/rolloutRig';

const rig = useRolloutRig({ 'instance-warmup': '30', 'expected-commit': DEPLOYED_COMMIT });
const { rollout, refreshes } = rig;

async function instances() {
  return (await rig.group()).Instances ?? [];
}

describe('fast verdict: a release whose instances keep failing is rolled back, not waited on for AWS’s hour', () => {
  it('rolls back after AWS took two failing instances out, with the default wait, and says why', async () => {
    await rig.region.markUnhealthyVersion(rig.stack.versions[1], 'Target.ResponseCodeMismatch');

    const run = await rollout();

    expect({ exitCode: run.exitCode, reason: run.outputs['failure-reason'] }).toEqual({
      exitCode: 1,
      reason: 'rolled-back',
    });
    expect(run.stdout).toMatch(
      /Fast verdict: 2 instances of launch template \S+ version 2 failed their health checks and AWS took them out of service \(i-\w+: (unhealthy \(Target\.ResponseCodeMismatch: Health checks failed with these codes|never seen passing a health check)/,
    );
    // The targets' own reason code is in the log (their state lines, or the verdict's).
    expect(run.stdout).toMatch(/unhealthy \(Target\.ResponseCodeMismatch/);
    expect(run.stdout).toContain('keeps replacing them for up to an hour');
    expect(run.stdout).toMatch(
      /fast verdict: asked AWS to roll back refresh \S+ to version 1 \(RollbackInstanceRefresh\)/,
    );
    expect(run.stdout).toMatch(
      /final verdict: refresh \S+ ended RollbackSuccessful; group demo-web-asg: 2 InService \(2 on version 1\)/,
    );
    expect(run.outputs['refresh-status']).toBe('RollbackSuccessful');
    expect(run.summary).toContain('Final state: refresh');
    // AWS's own hour never ran out: the rollback is the one this run asked for.
    const [ours] = await refreshes();
    expect(ours?.Status).toBe('RollbackSuccessful');
    expect(ours?.RollbackDetails?.RollbackReason).toBe('Rollback requested with RollbackInstanceRefresh.');
    expect(
      (await instances())
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => i.LaunchTemplate?.Version),
    ).toEqual(['1', '1']);
    // The app log is shown for the instances the rollout saw fail, found without AWS's wording.
    expect(run.stdout).toMatch(/Rollout: app log of the failing instances[\s\S]*i-\w+: /);
  });

  it('without the fast verdict’s evidence (targets only slow), waits out the budget and reports the final state', async () => {
    // New targets stay `initial` far past a 10 minute budget: slow, not failing, so no verdict.
    await rig.region.settings({ healthCheckSeconds: 6000 });

    const run = await rollout({ 'wait-timeout-minutes': '10' });

    expect(run.outputs['failure-reason']).toBe('timeout');
    expect(run.stdout).not.toContain('Fast verdict');
    expect(run.stdout).toMatch(/started a rollback of refresh \S+ to version 1/);
    expect(run.stdout).toMatch(
      /final verdict: refresh \S+ ended RollbackSuccessful; group demo-web-asg: 2 InService \(2 on version 1\)/,
    );
    expect(run.outputs['refresh-status']).toBe('RollbackSuccessful');
    expect(run.summary).toMatch(/Final state: refresh \S+ ended RollbackSuccessful/);
  });
});

describe('min 100 / max 100: AWS’s one-at-a-time mode', () => {
  it('is accepted and rolls one instance at a time, launching first, never below desired capacity', async () => {
    let watching = true;
    const inServiceCounts: number[] = [];
    const watcher = (async () => {
      while (watching) {
        inServiceCounts.push((await instances()).filter((i) => i.LifecycleState === 'InService').length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const run = await rollout({ 'min-healthy-percentage': '100', 'max-healthy-percentage': '100' });
    watching = false;
    await watcher;

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('healthy 100-100%');
    expect(Math.min(...inServiceCounts)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...inServiceCounts)).toBe(3);
    const [ours] = await refreshes();
    expect(ours?.Preferences).toMatchObject({ MinHealthyPercentage: 100, MaxHealthyPercentage: 100 });
  });
});
