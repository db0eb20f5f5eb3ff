import type { Clock } from './clock';
import { formatDuration, type Logger } from './log';
import { poll, type PollStep } from './poll';

/**
 * A long wait's clock, the same for the rollout and the scale test: every progress line starts with
 * the time since the wait began, and every poll shares its interval, deadline and abort signal.
 */
export interface RunClock {
  startedAt: number;
  /** Logs a state-change line prefixed with the time since the run started. */
  progress(line: string): void;
  /**
   * The shared poller, bound to this run's interval, deadline and abort signal; a check may ask
   * for its next turn sooner or later than the interval (`nextInMs`).
   */
  poll<T>(what: string, check: () => Promise<PollStep<T>>, firstCheckInMs?: number): Promise<T>;
}

export interface RunClockDependencies {
  clock: Clock;
  log: Logger;
  signal?: AbortSignal;
}

/** Starts the clock now: the deadline is `timeoutSeconds` from here. */
export function startRunClock(
  { clock, log, signal }: RunClockDependencies,
  { intervalSeconds, timeoutSeconds }: { intervalSeconds: number; timeoutSeconds: number },
): RunClock {
  const startedAt = clock.now();
  const deadline = startedAt + timeoutSeconds * 1000;
  return {
    startedAt,
    progress: (line) => {
      log.info(`[${formatDuration(clock.now() - startedAt).padStart(6)}] ${line}`);
    },
    poll: (what, check, firstCheckInMs) =>
      poll(check, {
        what,
        intervalMs: intervalSeconds * 1000,
        deadline,
        clock,
        ...(firstCheckInMs === undefined ? {} : { firstCheckInMs }),
        ...(signal ? { signal } : {}),
        onTransientError: (kind, message, nextInMs) => {
          log.warning(
            `AWS ${kind} error while waiting for ${what}: ${message}; retrying in ${formatDuration(nextInMs)}`,
          );
        },
      }),
  };
}
