import { parseHttpUrl } from './url';

/**
 * Markdown building blocks that stay inert whatever text they carry: resource addresses, output
 * names, plan text, AWS names and reasons come from outside the action and must not be able to
 * open a link, an image, an HTML tag or comment, a table column, or leave a code block. The plan
 * comment, the job summaries and the scale-test report all build on these, and on nothing else.
 */

/** Any line break a renderer may honour: one value stays on its one line. */
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const [run] of text.matchAll(/`+/g)) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * One line of literal text: HTML is escaped and every markdown punctuation mark is backslashed.
 * A pipe becomes the entity `&#124;` rather than a backslashed pipe: tableRow escapes pipes again,
 * and a backslashed one would become an escaped backslash followed by a real column break.
 */
export function escapeText(text: string): string {
  return text
    .replace(/\s*[\r\n\v\f\u0085\u2028\u2029]+\s*/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;');
}

/**
 * An inline code span around any text: the backtick fence is one longer than the longest backtick
 * run inside, padded with a space on each side when the text begins or ends with a backtick or a
 * space (CommonMark strips one space from each side again).
 */
export function codeSpan(text: string): string {
  const oneLine = text.replace(LINE_BREAKS, ' ');
  const fence = '`'.repeat(longestBacktickRun(oneLine) + 1);
  const pad = /^[` ]|[` ]$/.test(oneLine) ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/**
 * Text inside an HTML block (a `<details><summary>` line): there Markdown is not parsed, so
 * backticks and backslashes protect nothing and only entities do. Every character that could open
 * a tag, a comment or an entity, or end an attribute, becomes one; line breaks become spaces, as a
 * blank line would end the block.
 */
export function htmlText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Literal code inside an HTML block: the HTML twin of codeSpan. */
export function htmlCode(text: string): string {
  return `<code>${htmlText(text)}</code>`;
}

/**
 * A collapsed block; `open` for what a reviewer should read without a click. The summary is HTML:
 * build it from htmlText and htmlCode, never from codeSpan or escapeText.
 */
export function details(summary: string, body: string, open = false): string {
  return [`<details${open ? ' open' : ''}><summary>${summary}</summary>`, '', body, '', '</details>'].join(
    '\n',
  );
}

/** A code fence the text cannot close early: longer than any backtick run in it, at least three. */
export function fenceFor(text: string): string {
  return '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
}

/** A fenced code block; pass the fence of a longer text when this one is a part of it. */
export function codeBlock(text: string, language: string, fence = fenceFor(text)): string {
  return `${fence}${language}\n${text}\n${fence}`;
}

/**
 * GitHub splits table rows on every unescaped pipe, even inside code spans, so each cell's pipes
 * are escaped; the table extension removes the backslash again before rendering the cell.
 */
export function tableRow(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function tableHeader(titles: string[]): string {
  return [tableRow(titles), tableRow(titles.map(() => '---'))].join('\n');
}

/**
 * A link target that cannot end the link early, or undefined for anything but http(s): the URL
 * parser percent-encodes spaces, quotes and angle brackets; parentheses are encoded here.
 */
export function linkTarget(url: string): string | undefined {
  return parseHttpUrl(url)?.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** "1,234": counts in the comment are read, not parsed, so they get thousands separators. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
