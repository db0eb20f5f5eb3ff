import { BOOT_WAIT_SECONDS, RUN_ONCE_TIMED_OUT_STATUS } from '../../src/release/command';
import { cancelDeadline, isFinished, verdictOf } from '../../src/release/outcome';

it('waits while SSM is still delivering, running or cancelling', () => {
  for (const status of ['Pending', 'InProgress', 'Delayed', 'Cancelling'])
    expect(isFinished(status)).toBe(false);
  for (const status of ['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated'])
    expect(isFinished(status)).toBe(true);
});

it.each([
  ['Success', 0, 'succeeded'],
  ['Failed', 1, 'failed'],
  ['Failed', 137, 'failed'],
  ['Failed', RUN_ONCE_TIMED_OUT_STATUS, 'timed-out'],
  ['TimedOut', -1, 'timed-out'],
  ['Cancelled', -1, 'timed-out'],
  ['Undeliverable', -1, 'failed'],
  ['Terminated', -1, 'failed'],
])('%s with exit %i is %s', (status, code, verdict) => {
  expect(verdictOf(status, code)).toBe(verdict);
});

it('cancels only after the budget and the slack for the script to stop the container itself', () => {
  expect(cancelDeadline(1_000, 600, false)).toBe(1_000 + 660_000);
});

it("also waits for a booting host's user-data to write the script on a first deploy", () => {
  expect(cancelDeadline(1_000, 600, true)).toBe(1_000 + (660 + BOOT_WAIT_SECONDS) * 1000);
});
