/**
 * Reads a log the way the runner and its log viewer do, for tests that hand the bundle hostile
 * text: which lines would be taken as workflow commands. The runner splits its input at CR and LF,
 * trims every Unicode white space before `::` (and, comparing culture-sensitively, may skip format
 * and control characters), obeys `##[` anywhere in a line, and ignores every command between
 * `::stop-commands::<token>` and `::<token>::`. Lines are also split at the separators a viewer
 * may honour (VT, FF, NEL, U+2028, U+2029), which only finds more.
 */

const LINE_END = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/;
const IGNORABLE = /[\p{Cc}\p{Cf}]/gu;
const LEADING_SPACE = /^[\s\p{Z}]+/u;

export interface CommandLine {
  line: string;
  /** The line's commands outside any stop-commands block: what the runner would obey. */
  obeyed: boolean;
}

function isCommand(line: string): boolean {
  const visible = line.replace(IGNORABLE, '').replace(LEADING_SPACE, '');
  return visible.startsWith('::') || visible.includes('##[');
}

/** Every line that reads as a workflow command, and whether the runner would obey it. */
export function commandLines(log: string): CommandLine[] {
  const found: CommandLine[] = [];
  let stopToken: string | undefined;
  for (const line of log.split(LINE_END)) {
    if (!isCommand(line)) continue;
    if (stopToken !== undefined) {
      const resumes = line === `::${stopToken}::`;
      if (resumes) stopToken = undefined;
      found.push({ line, obeyed: resumes });
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) stopToken = stop[1];
    found.push({ line, obeyed: true });
  }
  return found;
}

/** The lines the runner would obey that carry `marker`, a word only the hostile text holds. */
export function obeyedCommandsFrom(log: string, marker: string): string[] {
  return commandLines(log)
    .filter((command) => command.obeyed && command.line.includes(marker))
    .map((command) => command.line);
}

/** Hostile text of every shape that reaches the runner as a command, each carrying `marker`. */
export function hostileLines(marker: string): string[] {
  return [
    `::warning::${marker}-plain`,
    `   ::add-mask::${marker}-indented`,
    `\t\u00a0::error::${marker}-nbsp`,
    `\u0085::warning::${marker}-nel`,
    `\u200b::warning::${marker}-zero-width`,
    `text\r::warning::${marker}-carriage-return`,
    `text\u2028::warning::${marker}-line-separator`,
    `text\u2029::warning::${marker}-paragraph-separator`,
    `text%0A::warning::${marker}-encoded-newline`,
    `text%0d::warning::${marker}-encoded-cr`,
    `mid-line ##[add-mask]${marker}-legacy`,
    `mid-line ##[warning]${marker}-legacy-warning`,
    `::stop-commands::${marker}-stop`,
    `::${marker}-resume::`,
  ];
}
