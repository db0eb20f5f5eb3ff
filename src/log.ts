import * as core from '@actions/core';
import { printInert } from './exec';

/** A line of the message that the runner would read as a workflow command (it trims indentation). */
const COMMAND_LINE = /(^|[\r\n])[^\S\r\n]*::/;

/** Where stage progress goes: @actions/core on a runner, a recorder in tests. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

export const actionsLogger: Logger = {
  info: (message) => {
    // Messages quote plan text, tool output and resource names: those are printed inertly.
    if (COMMAND_LINE.test(message)) {
      printInert(message, (text) => process.stdout.write(text));
    } else {
      core.info(message);
    }
  },
  warning: (message) => {
    core.warning(message);
  },
  error: (message) => {
    core.error(message);
  },
  group: (title, body) => core.group(title, body),
};

/** Time source and sleep, injected so waits can be tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** "4m05s" style durations: short enough for a log prefix, exact enough to compare runs. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}

/**
 * A clock that runs `scale` times faster than `base`: the rollout's waits measured in an emulated
 * region's simulated time, so a wait budget that could not hold against AWS fails in the tests too.
 */
export function scaledClock(base: Clock, scale: number): Clock {
  if (scale === 1) return base;
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
  };
}
