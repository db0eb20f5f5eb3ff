/**
 * What a finished (or abandoned) SSM invocation means for the release. Pure.
 */
import { BOOT_WAIT_SECONDS, RUN_ONCE_TIMED_OUT_STATUS } from './command';

export type RunVerdict = 'succeeded' | 'failed' | 'timed-out';

/** Statuses after which GetCommandInvocation will not change any more. */
const TERMINAL_STATUSES = new Set([
  'Success',
  'Failed',
  'TimedOut',
  'Cancelled',
  'Undeliverable',
  'Terminated',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
]);

export function isFinished(status: string): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * The run-once script exits 124 when it stopped the container at its own deadline; SSM's
 * TimedOut means the document's limit struck first; Cancelled is the action's own cancel at its
 * deadline (nothing else cancels this command).
 */
export function verdictOf(status: string, responseCode: number): RunVerdict {
  if (status === 'Success') return 'succeeded';
  if (status === 'TimedOut' || status === 'ExecutionTimedOut' || status === 'Cancelled') return 'timed-out';
  if (status === 'Failed' && responseCode === RUN_ONCE_TIMED_OUT_STATUS) return 'timed-out';
  return 'failed';
}

/**
 * How long the action waits before cancelling: the command's budget, plus slack for the image to
 * start and the script to stop its container and report (the script bounds the run itself), and
 * for a booting host to write the script first (a first deploy).
 */
export function cancelDeadline(startedAt: number, timeoutSeconds: number, hostBooting: boolean): number {
  return startedAt + (timeoutSeconds + 60 + (hostBooting ? BOOT_WAIT_SECONDS : 0)) * 1000;
}
