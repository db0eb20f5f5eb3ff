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

/** "4m05s" style durations: short enough for a log prefix, exact enough to compare runs. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
