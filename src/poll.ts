import { transientErrorKind, errorMessage } from './errors';
import type { Clock } from './clock';

/** `nextInMs`: when the check wants to run again, if not after the usual interval. */
export type PollStep<T> = { done: true; value: T } | { done: false; state: string; nextInMs?: number };

export interface PollOptions {
  /** What is being waited for, as it should read in a timeout message. */
  what: string;
  intervalMs: number;
  /** Absolute time (per `clock`) after which the wait gives up. */
  deadline: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Ceiling for the backed-off interval after throttling or transient failures. */
  maxIntervalMs?: number;
  /** Told about each transient failure that is being waited out. */
  onTransientError?: (kind: string, message: string, nextAttemptInMs: number) => void;
  /** Wait this long before the first check (default: check at once). */
  firstCheckInMs?: number;
}

/** The wait ran out of time; `lastState` is the last thing the check reported, for the log. */
export class PollTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly lastState: string,
  ) {
    super(`Timed out waiting for ${what}; last state: ${lastState}`);
    this.name = 'PollTimeoutError';
  }
}

/**
 * The one wait loop behind every wait in the action: calls `check` every `intervalMs` until it
 * reports done or the deadline passes. Throttling, AWS 5xx and dropped connections double the
 * interval (up to `maxIntervalMs`) instead of failing the deploy; any other error ends the wait.
 */
export async function poll<T>(check: () => Promise<PollStep<T>>, options: PollOptions): Promise<T> {
  const { clock, signal, deadline } = options;
  const maxIntervalMs = options.maxIntervalMs ?? Math.max(options.intervalMs * 8, 60_000);
  let backoffMs = options.intervalMs;
  let waitMs = options.firstCheckInMs ?? 0;
  let lastState = 'not checked yet';

  for (;;) {
    if (waitMs > 0) {
      const remaining = deadline - clock.now();
      if (remaining <= 0) throw new PollTimeoutError(options.what, lastState);
      await clock.sleep(Math.min(waitMs, remaining), signal);
    }
    signal?.throwIfAborted();
    try {
      const step = await check();
      if (step.done) return step.value;
      lastState = step.state;
      backoffMs = options.intervalMs;
      waitMs = step.nextInMs ?? options.intervalMs;
    } catch (error) {
      const kind = transientErrorKind(error);
      if (kind === undefined) throw error;
      backoffMs = Math.min(backoffMs * 2, maxIntervalMs);
      waitMs = backoffMs;
      lastState = `${kind} error: ${errorMessage(error)}`;
      options.onTransientError?.(kind, errorMessage(error), backoffMs);
    }
    if (deadline - clock.now() <= 0) throw new PollTimeoutError(options.what, lastState);
  }
}
