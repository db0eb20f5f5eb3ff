import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { couldCommandTheRunner, onOneLine, withoutLegacyCommands } from './text';

/**
 * Where stage progress goes: @actions/core on a runner, a recorder in tests. Every message may
 * quote text from outside the action (AWS names and reasons, tool output, app log lines, HTTP
 * answers, registry labels): the logger, not its callers, makes each one inert, so no call site
 * can forget to.
 */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/** A token nobody can guess: text inside the block can only resume workflow commands if it knows it. */
function stopToken(): string {
  return `ha-django-deploy-${randomBytes(16).toString('hex')}`;
}

/** The longest end of a chunk that may be the start of a `##[` the next chunk completes. */
const OPEN_LEGACY_COMMAND = /#{1,2}$/;

/**
 * Writes text nothing in it can turn into a workflow command: the runner ignores every command
 * between `::stop-commands::<token>` and `::<token>::`, so a Terraform value, a docker build step
 * or an app log line that prints `::warning::` or `::add-mask::` is shown, not obeyed; and `##[`
 * is made plain, so the log viewer does not draw it as one of the runner's own lines. Text may
 * arrive in chunks cut anywhere.
 */
export function createInertWriter(write: (text: string) => void): {
  write: (text: string) => void;
  end: () => void;
} {
  const token = stopToken();
  let held = '';
  let endsWithNewline = true;
  const emit = (text: string): void => {
    if (text === '') return;
    write(withoutLegacyCommands(text));
    endsWithNewline = text.endsWith('\n');
  };
  write(`::stop-commands::${token}\n`);
  return {
    write: (text) => {
      const joined = held + text;
      held = OPEN_LEGACY_COMMAND.exec(joined)?.[0] ?? '';
      emit(joined.slice(0, joined.length - held.length));
    },
    end: () => {
      emit(held);
      held = '';
      // The resume command only counts at the start of a line.
      write(`${endsWithNewline ? '' : '\n'}::${token}::\n`);
    },
  };
}

/** Prints a possibly multi-line text from outside the action (plan text, tool output) inertly. */
export function printInert(text: string, write: (text: string) => void): void {
  const writer = createInertWriter(write);
  writer.write(text.endsWith('\n') ? text : `${text}\n`);
  writer.end();
}

const writeToLog = (text: string): void => {
  process.stdout.write(text);
};

/**
 * An annotation's text is one workflow command, which the runner cannot split; it is still shown
 * on one line when it quotes a would-be command, so no line of the decoded log reads as one. For
 * every annotation: warnings, errors and the step's failure message.
 */
export function annotationText(message: string): string {
  return couldCommandTheRunner(message) ? withoutLegacyCommands(onOneLine(message)) : message;
}

export const actionsLogger: Logger = {
  info: (message) => {
    if (couldCommandTheRunner(message)) printInert(message, writeToLog);
    else core.info(message);
  },
  warning: (message) => {
    core.warning(annotationText(message));
  },
  error: (message) => {
    core.error(annotationText(message));
  },
  group: (title, body) => core.group(onOneLine(title), body),
};

/** "4m05s" style durations: short enough for a log prefix, exact enough to compare runs. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
