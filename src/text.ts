/**
 * Characters no single line of text from outside may carry: C0 and C1 controls (CR, LF, NUL, ESC,
 * NEL...), DEL, and the Unicode line and paragraph separators. A line break would let a value start
 * a workflow command (`::add-mask::`) in a log line or reach AWS as two names; the others hide or
 * rewrite what a reader sees.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Where a line may end for the runner or for whoever reads its log: the runner splits our output
 * at CR and LF; a viewer may also break at VT, FF, NEL and the Unicode separators; and a workflow
 * command's data decodes `%0A`/`%0D` into line breaks.
 */
const LINE_END = /[\r\n\v\f\u0085\u2028\u2029]|%0[ad]/i;

/**
 * What the runner may skip: a culture-sensitive comparison ignores format and control characters
 * (zero-width space, soft hyphen, NUL) anywhere in `::` or `##[`, and .NET's TrimStart drops every
 * Unicode white space (NBSP, NEL, U+2028...) before `::`. Reading more as skippable than the
 * runner does only makes more lines count as dangerous.
 */
const IGNORABLE = /[\p{Cc}\p{Cf}]/gu;
const LEADING_SPACE = /^[\s\p{Z}]+/u;

/**
 * Whether printing the text as it is could give the runner a workflow command: a line whose first
 * visible characters are `::`, or the legacy `##[` anywhere. The runner obeys both; text from
 * outside the action (tool output, AWS names, app logs, HTTP answers) may hold either.
 */
export function couldCommandTheRunner(text: string): boolean {
  return text.split(LINE_END).some((line) => {
    const visible = line.replace(IGNORABLE, '').replace(LEADING_SPACE, '');
    return visible.startsWith('::') || visible.includes('##[');
  });
}

/**
 * The legacy command opener `##[` made plain (`##\[`): inside a stop-commands block the runner
 * already ignores it, but its log viewer still draws a `##[error]` or `##[group]` line as its own.
 */
export function withoutLegacyCommands(text: string): string {
  return text.replace(/##\[/g, '##\\[');
}

/** The text on one line, each line end shown as ⏎: for a one-line annotation of foreign text. */
export function onOneLine(text: string): string {
  return text.split(LINE_END).join(' ⏎ ');
}
