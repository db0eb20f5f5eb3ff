/**
 * The one-off's output as it reaches the log. Pure.
 *
 * GetCommandInvocation returns everything the run printed so far (up to SSM's 24,000 characters of
 * stdout and 8,000 of stderr); each poll hands it in whole, and only the lines not printed yet come
 * out: masked, bounded in length and count, and prefixed so no line can read as a workflow command.
 */
import { maskLogLine } from '../mask';

export const OUTPUT_LIMITS = { printedLines: 400, tailLines: 30 };

export interface RunOutput {
  /** Complete new lines of the run's output, ready to print. */
  take(stdout: string, stderr: string): string[];
  /** At the end: what is left (a last line without a newline), and a note of any lines held back. */
  finish(stdout: string, stderr: string): string[];
  /** The last lines the run printed, masked, for a failure message. */
  tail(): string[];
}

interface Channel {
  label: string;
  consumed: number;
}

export function createRunOutput(knownSecrets: string[]): RunOutput {
  const channels: Channel[] = [
    { label: 'out', consumed: 0 },
    { label: 'err', consumed: 0 },
  ];
  const recent: string[] = [];
  let printed = 0;
  let heldBack = 0;

  function lines(channel: Channel, text: string, all: boolean): string[] {
    const end = all ? text.length : text.lastIndexOf('\n') + 1;
    if (end <= channel.consumed) return [];
    const fresh = text.slice(channel.consumed, end).replace(/\n$/, '');
    channel.consumed = end;
    return fresh.split('\n').map((line) => maskLogLine(line.replace(/\r$/, ''), knownSecrets));
  }

  function emit(found: string[], label: string): string[] {
    recent.push(...found);
    recent.splice(0, Math.max(0, recent.length - OUTPUT_LIMITS.tailLines));
    const room = Math.max(0, OUTPUT_LIMITS.printedLines - printed);
    heldBack += Math.max(0, found.length - room);
    printed += Math.min(found.length, room);
    return found.slice(0, room).map((line) => `  ${label} | ${line}`);
  }

  function read(stdout: string, stderr: string, all: boolean): string[] {
    const texts = [stdout, stderr];
    return channels.flatMap((channel, index) => emit(lines(channel, texts[index] ?? '', all), channel.label));
  }

  return {
    take: (stdout, stderr) => read(stdout, stderr, false),
    finish: (stdout, stderr) => {
      const rest = read(stdout, stderr, true);
      return heldBack > 0
        ? [...rest, `  (${heldBack} more lines not shown; the last ones follow any failure)`]
        : rest;
    },
    tail: () => [...recent],
  };
}
