/**
 * What a check failing after a successful refresh says, in the cases where nothing is rolled back
 * (the rollback itself runs against the emulated region in emulated-rollout.integration.test.ts).
 */
import { DeployError } from '../../src/errors';
import type { InspectedGroup } from '../../src/rollout/inspect';
import { failAfterLiveRelease } from '../../src/rollout/releaseLive';
import type { RolloutContext } from '../../src/rollout/rolloutContext';

function contextWith(rollbackOnCheckFailure: boolean) {
  const errors: string[] = [];
  const context = {
    settings: { rollbackOnCheckFailure },
    log: { error: (line: string) => errors.push(line) },
    progress: () => undefined,
    clients: {},
  } as unknown as RolloutContext;
  return { context, errors };
}

function inspectedOn(previous: string): InspectedGroup {
  return {
    group: { name: 'web', launchTemplateId: 'lt-1', launchTemplateVersion: previous },
    target: { launchTemplateId: 'lt-1', version: 4 },
    targetGroupArns: [],
  } as unknown as InspectedGroup;
}

const FAILED = new DeployError('smoke-app-failed', 'The page failed.', 'Fix the page.');

describe('a check failing after a successful refresh', () => {
  it('says the release is live, keeps the reason, and says how to restore the previous version', async () => {
    const { context, errors } = contextWith(false);
    const error = await failAfterLiveRelease(
      context,
      inspectedOn('3'),
      { id: 'r-1', status: 'Successful' },
      FAILED,
    );
    expect(error.reason).toBe('smoke-app-failed');
    expect(error.releaseLive).toBe(true);
    expect(error.message).toBe(
      'The page failed. The release is live: every instance of web runs launch template lt-1 version 4 (refresh r-1 Successful) and serves users, although the check failed.',
    );
    expect(error.nextSteps).toMatch(
      /^Fix the page\. Until then users get this release: to restore version 3 .*rollback-on-check-failure: true/,
    );
    expect(errors).toHaveLength(1);
  });

  it('with rollback asked but no refresh of this run, says why it did not roll back', async () => {
    const { context } = contextWith(true);
    const error = await failAfterLiveRelease(
      context,
      inspectedOn('4'),
      { id: undefined, status: 'NotNeeded' },
      FAILED,
    );
    expect(error.releaseLive).toBe(true);
    expect(error.message).toContain(
      'Not rolled back: this run replaced no instance (the group already ran version 4)',
    );
  });

  it('with rollback asked from a group that ran $Latest, says AWS cannot refresh back to it', async () => {
    const { context } = contextWith(true);
    const error = await failAfterLiveRelease(
      context,
      inspectedOn('$Latest'),
      { id: 'r-1', status: 'Successful' },
      FAILED,
    );
    expect(error.releaseLive).toBe(true);
    expect(error.message).toContain('Not rolled back: the group ran launch template version $Latest before');
  });
});
