import type { PlanReview, PlanSummary, ResourceChange, TextChange } from '../terraform';
import { unifiedDiff } from './diff';
import {
  codeBlock,
  codeSpan,
  details,
  escapeText,
  fenceFor,
  formatCount,
  htmlCode,
  tableHeader,
  tableRow,
} from '../markdown';

/**
 * The parts of a plan comment beside the change tables: the release review (image and decoded boot
 * scripts) and Terraform's notices (warnings, failed checks, drift, deferred changes). Each is
 * bounded by its own budget, so the tables and the marker always keep their room.
 */

/** Longer lines (a base64 blob, a policy on one line) are cut to this many characters. */
export const MAX_LINE_LENGTH = 1_000;

/** The release section's share of a comment: the diffs of a release are short, a template can be long. */
export const RELEASE_BUDGET = 16_000;

/** At most this many boot scripts or templates are diffed in one comment; the rest are counted. */
const MAX_DIFFED_CHANGES = 20;

/** The notices' share: warnings, checks, drift and deferred changes, each collapsed. */
export const NOTICES_BUDGET = 8_000;

export function cutLongLine(line: string): string {
  if (line.length <= MAX_LINE_LENGTH) return line;
  const characters = Array.from(line);
  if (characters.length <= MAX_LINE_LENGTH) return line;
  const rest = characters.length - MAX_LINE_LENGTH;
  return `${characters.slice(0, MAX_LINE_LENGTH).join('')} … (${formatCount(rest)} more characters)`;
}

/** Lines in a fenced block, as many as fit in `budget` characters, with a note on what was left out. */
function boundedBlock(
  lines: string[],
  language: string,
  budget: number,
  more: (left: number) => string,
): string {
  const fence = fenceFor(lines.join('\n'));
  let shown = lines.length;
  let spent = lines.reduce((total, line) => total + line.length + 1, 0);
  while (shown > 0 && spent + fence.length * 2 + 80 > budget) spent -= (lines[--shown]?.length ?? 0) + 1;
  const block = codeBlock(lines.slice(0, shown).join('\n'), language, fence);
  return shown === lines.length ? block : `${block}\n\n${more(lines.length - shown)}`;
}

export interface ReleaseInput {
  review: PlanReview | undefined;
  /** The image being deployed (`repo@sha256:…`) and the tags known to point at it. */
  image: string;
  imageTags: readonly string[];
  /** Scrubs credentials and sensitive values from free text. */
  scrub: (text: string) => string;
  logLink: string;
}

function digestOf(reference: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(reference)?.[1];
}

/** `repo:tag@sha256:…` keeps its tag; a bare digest reference has none to show. */
function tagOf(reference: string): string | undefined {
  return /^[^@]*\/[^/@]*:([^/@]+)(@|$)/.exec(reference)?.[1];
}

function imageChanges(input: ReleaseInput): boolean {
  const before = input.review?.image?.before;
  return before !== undefined && before !== input.image && digestOf(before) !== digestOf(input.image);
}

function imageLine(input: ReleaseInput): string {
  const after = input.scrub(input.image);
  const tags = [...new Set([...input.imageTags, ...(tagOf(after) ? [tagOf(after) as string] : [])])];
  const afterText = `${codeSpan(after)}${tags.length > 0 ? ` (tags ${tags.map((tag) => codeSpan(input.scrub(tag))).join(', ')})` : ''}`;
  const before = input.review?.image?.before;
  if (before === undefined) return `- Image: ${afterText} (the stack had no \`image\` output before)`;
  if (!imageChanges(input)) return `- Image: unchanged, ${afterText}`;
  const beforeTag = tagOf(before);
  const beforeText = `${codeSpan(input.scrub(before))}${beforeTag ? ` (tag ${codeSpan(input.scrub(beforeTag))})` : ''}`;
  return `- Image: ${beforeText} → ${afterText}`;
}

const ENCODING_TEXT: Record<TextChange['encoding'], string> = {
  text: 'text',
  base64: 'base64-decoded',
  'base64+gzip': 'base64-decoded, gunzipped',
};

function textChangeSection(change: TextChange, budget: number, input: ReleaseInput): string {
  const what = `${codeSpan(input.scrub(change.attribute))} of ${codeSpan(change.address)}`;
  if (change.sensitive) return `- ${what} changes; it is sensitive, so no line of it is shown.`;
  if (change.afterUnknown && change.after === undefined) {
    return `- ${what} changes; the new value is known only after apply, so it cannot be shown yet.`;
  }
  const diff = unifiedDiff(change.before, change.after);
  const lines = diff.lines.map((line) => cutLongLine(input.scrub(line)));
  // The title is the summary of an HTML block, where a code span would protect nothing.
  const title = `${htmlCode(input.scrub(change.attribute))} of ${htmlCode(change.address)} (${ENCODING_TEXT[change.encoding]}): ${formatCount(diff.added)} line${diff.added === 1 ? '' : 's'} added, ${formatCount(diff.removed)} removed`;
  const body = boundedBlock(
    lines,
    'diff',
    budget - title.length - 60,
    (left) => `${formatCount(left)} more diff lines are in the ${input.logLink}.`,
  );
  return details(title, body, true);
}

/**
 * "Release": the image before -> after, then for each boot script or rendered template that
 * changes, a unified diff of the decoded text with secrets scrubbed line by line. Empty when the
 * plan changes neither.
 */
export function releaseSection(input: ReleaseInput, budget = RELEASE_BUDGET): string {
  const changes = input.review?.textChanges ?? [];
  // Nothing to review: no new image and no boot script or template changes.
  if (changes.length === 0 && !imageChanges(input)) return '';
  const parts = ['#### Release', '', imageLine(input)];
  const diffed = changes.slice(0, MAX_DIFFED_CHANGES);
  // Room for the closing count of changes not shown, whatever happens below.
  let left = budget - parts.join('\n').length - 200;
  let shown = 0;
  for (const [index, change] of diffed.entries()) {
    // Each remaining change gets an equal share of what is left, so one long template cannot starve the rest.
    const share = Math.floor(left / (diffed.length - index)) - 2;
    const section = textChangeSection(change, share, input);
    const text =
      section.length <= share
        ? section
        : `- ${codeSpan(input.scrub(change.attribute))} of ${codeSpan(change.address)} changes; the diff does not fit here, see the ${input.logLink}.`;
    if (text.length + 2 > left) break;
    parts.push('', text);
    left -= text.length + 2;
    shown++;
  }
  if (shown < changes.length) {
    parts.push(
      '',
      `${formatCount(changes.length - shown)} more boot scripts or templates change; their diffs are in the ${input.logLink}.`,
    );
  }
  return parts.join('\n');
}

function driftTable(drift: ResourceChange[], budget: number): string {
  const header = tableHeader(['Changed outside Terraform', 'How']);
  const rows: string[] = [];
  let spent = header.length;
  for (const change of drift) {
    const how =
      change.action === 'delete' ? 'deleted' : change.action === 'update' ? 'updated' : change.action;
    const row = tableRow([
      codeSpan(change.address),
      `${how}${change.reason === 'relevant_to_plan' ? ', affects this plan' : ''}`,
    ]);
    if (spent + row.length + 1 > budget) break;
    rows.push(row);
    spent += row.length + 1;
  }
  const left = drift.length - rows.length;
  return [header, ...rows, ...(left > 0 ? ['', `${formatCount(left)} more are in the run log.`] : [])].join(
    '\n',
  );
}

export interface NoticesInput {
  summary: PlanSummary;
  warnings: readonly string[];
  scrub: (text: string) => string;
}

function plural(count: number, word: string): string {
  return `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;
}

/** Warnings, failed checks, drift and deferred changes, each collapsed, within `budget` characters. */
export function noticesSection({ summary, warnings, scrub }: NoticesInput, budget = NOTICES_BUDGET): string {
  const parts: string[] = [];
  const share = Math.floor(budget / 4);
  if (warnings.length > 0) {
    const lines = warnings.flatMap((warning, i) => [
      ...(i > 0 ? [''] : []),
      ...scrub(warning).split('\n').map(cutLongLine),
    ]);
    parts.push(
      details(
        `:warning: ${plural(warnings.length, 'warning')} from Terraform`,
        boundedBlock(lines, 'text', share, (left) => `${formatCount(left)} more lines are in the run log.`),
      ),
    );
  }
  if (summary.checks.length > 0) {
    const lines = summary.checks.flatMap((check) => [
      `${check.address}: ${check.status}`,
      ...check.problems.map((problem) => `  ${scrub(problem).replace(/\s*\n\s*/g, ' ')}`),
    ]);
    parts.push(
      details(
        `:warning: ${plural(summary.checks.length, 'check')} did not pass`,
        boundedBlock(
          lines.map(cutLongLine),
          'text',
          share,
          (left) => `${formatCount(left)} more lines are in the run log.`,
        ),
      ),
    );
  }
  if (summary.drift.length > 0) {
    parts.push(
      details(
        `${plural(summary.drift.length, 'resource')} changed outside Terraform (drift)`,
        driftTable(summary.drift, share - 120),
      ),
    );
  }
  if (summary.deferred.length > 0) {
    const rows = summary.deferred.map((change) =>
      tableRow([codeSpan(change.address), escapeText(change.reason)]),
    );
    const header = tableHeader(['Deferred to a later plan', 'Why']);
    let spent = header.length;
    const kept = rows.filter((row) => (spent += row.length + 1) <= share - 120);
    const left = rows.length - kept.length;
    parts.push(
      details(
        `${plural(summary.deferred.length, 'change')} deferred to a later plan`,
        [header, ...kept, ...(left > 0 ? ['', `${formatCount(left)} more are in the run log.`] : [])].join(
          '\n',
        ),
      ),
    );
  }
  return parts.join('\n\n');
}
