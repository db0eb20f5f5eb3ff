import { DeployError } from '../errors';
import type { ChangeAction, OutputChange, PlanReview, PlanSummary, ResourceChange } from '../terraform';
import {
  codeBlock,
  codeSpan,
  details,
  escapeText,
  fenceFor,
  htmlText,
  formatCount,
  linkTarget,
  tableHeader,
  tableRow,
} from '../markdown';
import { ACTION_SYMBOLS, buildMarker, serializeMarker } from './marker';
import { createRedactor } from './redact';
import { cutLongLine, noticesSection, releaseSection } from './sections';

/** GitHub refuses issue comment bodies longer than this many characters. */
export const COMMENT_BODY_LIMIT = 65_536;

/** Room a rendered comment leaves for the apply outcome a deploy adds to it later (recordApplyOutcome). */
export const OUTCOME_ROOM = 2_000;

const WARNING = ':warning:';

export interface PlanCommentInput {
  summary: PlanSummary;
  /** `terraform show -no-color` of the saved plan. */
  planText: string;
  /** The image reference being deployed, `repo@sha256:...`. */
  image: string;
  /** Tags known to point at the image (pushed or resolved), shown in the release section. */
  imageTags?: readonly string[];
  /** The commit the plan was made at. */
  commit: string;
  /** Label of the Terraform working directory: one comment per pull request and label. */
  workingDirectory: string;
  /** This workflow run's page, where the log holds the full plan. */
  runUrl: string;
  /** Values masked wherever they appear (the DockerHub token, anything the caller marks secret). */
  secrets: readonly string[];
  /** Sensitive values, decoded boot scripts, the image before: from reviewPlan. */
  review?: PlanReview;
  /** Terraform's warnings during the plan. */
  warnings?: readonly string[];
  /** Defaults to GitHub's comment limit less the room for the apply outcome; a job summary may allow more. */
  maxLength?: number;
}

const ACTION_LABELS: Record<ChangeAction, string> = {
  create: 'create',
  update: 'update in place',
  delete: 'destroy',
  replace: 'replace, destroy first',
  'replace-create-first': 'replace, create first',
  'replace-forget': 'replace, old object kept unmanaged',
  read: 'read',
  forget: 'forget (stays, no longer managed)',
  'no-op': 'no other change',
  unknown: 'unknown action',
};

/** Terraform's `action_reason` codes in words; unknown codes are shown as they are. */
const REASON_TEXT: Record<string, string> = {
  replace_because_cannot_update: 'a changed argument cannot be updated in place',
  replace_because_tainted: 'the object is tainted',
  replace_by_request: 'requested with -replace',
  replace_by_triggers: 'replace_triggered_by changed',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'count or for_each was added or removed',
  delete_because_count_index: 'index beyond the new count',
  delete_because_each_key: 'key no longer in for_each',
  delete_because_no_move_target: 'the moved block target does not exist',
  read_because_config_unknown: 'its configuration is known only after apply',
  read_because_dependency_pending: 'it depends on a pending change',
  read_because_check_nested: 'a check block reads it',
};

function isDestructive(action: ChangeAction): boolean {
  return action === 'delete' || action === 'replace' || action === 'replace-create-first';
}

/** Rows kept first when a table must be cut: destruction, then changes, then reads. */
const ROW_PRIORITY: Record<ChangeAction, number> = {
  delete: 0,
  replace: 0,
  'replace-create-first': 0,
  unknown: 0,
  forget: 1,
  'replace-forget': 1,
  create: 1,
  update: 1,
  'no-op': 1,
  read: 2,
};

interface Row {
  markdown: string;
  priority: number;
  /** What the truncation note counts the row as when it is left out. */
  kind: string;
}

interface TableSpec {
  title: (shown: number, total: number) => string;
  columns: string[];
  rows: Row[];
  /** Why rows are missing, given the ones left out. */
  cutNote: (omitted: Row[]) => string;
}

function redactSummary(summary: PlanSummary, mask: (text: string) => string): PlanSummary {
  const redact = (change: ResourceChange): ResourceChange => ({
    ...change,
    address: mask(change.address),
    ...(change.reason === undefined ? {} : { reason: mask(change.reason) }),
    ...(change.importId === undefined ? {} : { importId: mask(change.importId) }),
    ...(change.movedFrom === undefined ? {} : { movedFrom: mask(change.movedFrom) }),
  });
  return {
    ...summary,
    resourceChanges: summary.resourceChanges.map(redact),
    drift: summary.drift.map(redact),
    deferred: summary.deferred.map((change) => ({ ...change, address: mask(change.address) })),
    checks: summary.checks.map((check) => ({ ...check, address: mask(check.address) })),
    outputChanges: summary.outputChanges.map((output) => ({ ...output, name: mask(output.name) })),
  };
}

/**
 * Plan text as lines: colour codes and carriage returns dropped, blank edges trimmed, each line
 * scrubbed, then cut to MAX_LINE_LENGTH. Lines past `reach` characters can never be shown in a
 * comment, so they are counted but neither scrubbed nor kept: a 2.6 MB plan with a thousand
 * sensitive values renders in milliseconds.
 */
function planLines(planText: string, scrub: (text: string) => string, reach: number): string[] {
  const text = planText
    // eslint-disable-next-line no-control-regex -- ANSI escape sequences are exactly what is removed
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  if (text === '') return [];
  let spent = 0;
  return text.split('\n').map((line) => {
    if (spent > reach) return '';
    const shown = cutLongLine(scrub(line));
    spent += shown.length + 1;
    return shown;
  });
}

/** The replace count with its order, as Terraform's text marks each one (`-/+` or `+/-`). */
function replaceText(summary: PlanSummary): string {
  const createFirst = summary.resourceChanges.filter(
    (change) => change.action === 'replace-create-first',
  ).length;
  const destroyFirst = summary.replace - createFirst;
  const orders = [
    createFirst > 0 ? `${formatCount(createFirst)} \`+/-\` create before destroy` : undefined,
    destroyFirst > 0 ? `${formatCount(destroyFirst)} \`-/+\` destroy before create` : undefined,
  ].filter(Boolean);
  return `${formatCount(summary.replace)} to replace${orders.length > 0 ? ` (${orders.join(', ')})` : ''}`;
}

function summaryLine(summary: PlanSummary): string {
  if (!summary.hasChanges) {
    return '**No changes.** The infrastructure already matches the configuration.';
  }
  const optional = (count: number, text: string): string | undefined =>
    count > 0 ? `${formatCount(count)} ${text}` : undefined;
  const counts = [
    optional(summary.import, 'to import'),
    `${formatCount(summary.add)} to add`,
    `${formatCount(summary.change)} to change`,
    `${formatCount(summary.destroy)} to destroy`,
    replaceText(summary),
    optional(summary.move, 'to move'),
    optional(summary.forget, 'to forget'),
    optional(summary.other, `of an unknown kind`),
  ]
    .filter(Boolean)
    .join(', ');
  const outputs = summary.outputChanges.length;
  const outputText = outputs > 0 ? `; ${formatCount(outputs)} output change${outputs === 1 ? '' : 's'}` : '';
  const line = `**Plan: ${counts}${outputText}.**`;
  return summary.destroy + summary.replace + summary.other > 0
    ? `${WARNING} ${line} This plan destroys or replaces resources: check the ${WARNING} rows before merging.`
    : line;
}

/** What Terraform itself says about whether the plan can be applied. */
function applyabilityLine(summary: PlanSummary): string | undefined {
  if (!summary.applyable) {
    return `:no_entry: Terraform reports this plan as **not applyable** (planning errored); deploy will not apply it.`;
  }
  if (!summary.complete) {
    return `${WARNING} Terraform reports this plan as **incomplete**: some changes are deferred to a later plan.`;
  }
  return undefined;
}

function commitText(commit: string): string {
  // A bare full SHA is linked to the commit by GitHub itself; anything else stays literal.
  return /^[0-9a-f]{40}$/.test(commit) ? commit : codeSpan(commit);
}

function runLogLink(runUrl: string): string {
  const target = linkTarget(runUrl);
  return target ? `[run log](${target})` : 'run log';
}

function actionCell(change: ResourceChange): string {
  const label =
    change.action === 'unknown'
      ? `unknown action ${escapeText(change.rawActions ?? '')}`
      : ACTION_LABELS[change.action];
  const extras = [
    change.importId !== undefined ? 'import' : undefined,
    change.movedFrom !== undefined ? 'move' : undefined,
  ]
    .filter(Boolean)
    .join(' + ');
  const text =
    change.action === 'no-op' && extras !== ''
      ? extras
      : `${codeSpan(ACTION_SYMBOLS[change.action])} ${label}${extras ? ` + ${extras}` : ''}`;
  return isDestructive(change.action) || change.action === 'unknown' ? `${WARNING} ${text}` : text;
}

function noteCell(change: ResourceChange): string {
  const notes: string[] = [];
  if (change.importId !== undefined) {
    notes.push(
      change.importId === ''
        ? 'imported (ID known after apply)'
        : `imported from ID ${codeSpan(change.importId)}`,
    );
  }
  if (change.movedFrom !== undefined) notes.push(`moved from ${codeSpan(change.movedFrom)}`);
  if (change.reason) notes.push(REASON_TEXT[change.reason] ?? escapeText(change.reason));
  return notes.join('; ');
}

function countedTitle(heading: string, shown: number, total: number): string {
  const count = shown === total ? formatCount(total) : `${formatCount(shown)} of ${formatCount(total)}`;
  return `#### ${heading} (${count})`;
}

/** "12 destroy; 3 replace, destroy first; 1,000 update in place": the left-out rows by kind. */
function kindCounts(rows: Row[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.kind, (counts.get(row.kind) ?? 0) + 1);
  return [...counts].map(([kind, total]) => `${formatCount(total)} ${kind}`).join('; ');
}

function rowKind(change: ResourceChange): string {
  if (change.action === 'no-op') return change.importId !== undefined ? 'import' : 'move';
  return change.action === 'unknown' ? 'unknown action' : ACTION_LABELS[change.action];
}

function resourceTable(changes: ResourceChange[], logLink: string): TableSpec {
  const withNotes = changes.some((change) => noteCell(change) !== '');
  return {
    title: (shown, total) => countedTitle('Resource changes', shown, total),
    columns: withNotes ? ['Action', 'Resource', 'Why / note'] : ['Action', 'Resource'],
    rows: changes.map((change) => {
      const cells = [actionCell(change), codeSpan(change.address)];
      if (withNotes) cells.push(noteCell(change));
      return { markdown: tableRow(cells), priority: ROW_PRIORITY[change.action], kind: rowKind(change) };
    }),
    cutNote: (omitted) =>
      `${formatCount(omitted.length)} more resource changes do not fit in a comment (${kindCounts(omitted)}); ` +
      `destructions and replacements are listed first. The full plan is in the ${logLink}.`,
  };
}

function outputTable(outputs: OutputChange[], logLink: string): TableSpec {
  return {
    title: (shown, total) => countedTitle('Output changes', shown, total),
    columns: ['Action', 'Output'],
    rows: outputs.map((output) => ({
      markdown: tableRow([
        `${codeSpan(ACTION_SYMBOLS[output.action])} ${ACTION_LABELS[output.action]}`,
        output.sensitive ? `${codeSpan(output.name)} (sensitive, value hidden)` : codeSpan(output.name),
      ]),
      priority: 0,
      kind: ACTION_LABELS[output.action],
    })),
    cutNote: (omitted) =>
      `${formatCount(omitted.length)} more output changes do not fit in a comment; they are in the ${logLink}.`,
  };
}

function tableSection(spec: TableSpec, shownRows: Row[]): string {
  const total = spec.rows.length;
  const parts = [spec.title(shownRows.length, total), '', tableHeader(spec.columns)];
  parts.push(...shownRows.map((row) => row.markdown));
  if (shownRows.length < total) {
    const shown = new Set(shownRows);
    parts.push('', spec.cutNote(spec.rows.filter((row) => !shown.has(row))));
  }
  return parts.join('\n');
}

/**
 * The table within `budget` characters: rows are taken by priority (destruction first) until the
 * next one would not fit, then shown in their original order. Undefined when there is no room even
 * for the title and the note.
 */
function fitTable(spec: TableSpec, budget: number): string | undefined {
  const full = tableSection(spec, spec.rows);
  if (full.length <= budget) return full;
  // Sized with the widest counts and every row left out, so the real title and note can only be shorter.
  const total = spec.rows.length;
  const overhead = tableSection({ ...spec, title: () => spec.title(total, total + 1) }, []).length;
  if (overhead > budget) return undefined;
  const byPriority = spec.rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.priority - b.row.priority);
  const kept: { row: Row; index: number }[] = [];
  let spent = overhead;
  for (const candidate of byPriority) {
    const cost = candidate.row.markdown.length + 1;
    if (spent + cost > budget) break;
    kept.push(candidate);
    spent += cost;
  }
  kept.sort((a, b) => a.index - b.index);
  return tableSection(
    spec,
    kept.map(({ row }) => row),
  );
}

/** What every part of the plan section needs besides the lines. */
interface PlanFrame {
  fence: string;
  logLink: string;
  maxLength: number;
}

function planSection(lines: string[], shown: number, frame: PlanFrame): string {
  const count = formatCount(lines.length);
  const title = shown === lines.length ? `${count} lines` : `first ${formatCount(shown)} of ${count} lines`;
  const parts = [
    details(
      `Full plan text (${htmlText(title)})`,
      codeBlock(lines.slice(0, shown).join('\n'), 'text', frame.fence),
    ),
  ];
  if (shown < lines.length) {
    parts.push(
      '',
      `The plan text is cut to fit the ${formatCount(frame.maxLength)}-character limit. ` +
        `The full plan is in the ${frame.logLink}.`,
    );
  }
  return parts.join('\n');
}

/** As many leading plan lines as fit in `budget` characters, or undefined when not even one does. */
function fitPlan(lines: string[], budget: number, frame: PlanFrame): string | undefined {
  let spent = planSection(lines, 0, frame).length - 1;
  let shown = 0;
  while (shown < lines.length && spent + (lines[shown]?.length ?? 0) + 1 <= budget) {
    spent += (lines[shown]?.length ?? 0) + 1;
    shown += 1;
  }
  // The title counts the shown lines, so it grew by a few digits: give back lines until it fits.
  let section = planSection(lines, shown, frame);
  while (shown > 0 && section.length > budget) {
    shown -= 1;
    section = planSection(lines, shown, frame);
  }
  return shown === 0 ? undefined : section;
}

function joinSections(sections: (string | undefined)[]): string {
  return sections
    .filter((section): section is string => section !== undefined && section !== '')
    .join('\n\n');
}

/**
 * The pull-request comment for one plan, at most `maxLength` characters. When the whole does not
 * fit, the plan text is cut line by line first, then dropped and the tables cut (destruction
 * kept longest, the rest counted by kind); the marker, the summary line, the image, the commit,
 * the release review and the notices (each within its own budget) are always kept. Every text is
 * redacted before it is escaped, so a secret cannot hide behind an escape; free text (Terraform's
 * plan text and warnings, decoded boot scripts) is also scrubbed of every value the plan marks
 * sensitive.
 */
export function renderPlanComment(input: PlanCommentInput): string {
  const maxLength = input.maxLength ?? COMMENT_BODY_LIMIT - OUTCOME_ROOM;
  const mask = createRedactor(input.secrets);
  const scrub = createRedactor([...input.secrets, ...(input.review?.sensitiveValues ?? [])]);
  const summary = redactSummary(input.summary, mask);
  const workingDirectory = mask(input.workingDirectory);
  const image = mask(input.image);
  const commit = mask(input.commit);
  const lines = planLines(input.planText, scrub, maxLength);
  const logLink = runLogLink(mask(input.runUrl));

  const marker = serializeMarker(buildMarker(summary, { workingDirectory, commit, image }));
  const head = joinSections([
    `${marker}\n### Terraform plan for ${codeSpan(workingDirectory)}`,
    summaryLine(summary),
    applyabilityLine(summary),
    [
      `- Image: ${codeSpan(image)}`,
      `- Planned at commit ${commitText(commit)}`,
      `- Workflow ${logLink}`,
    ].join('\n'),
    releaseSection({ review: input.review, image, imageTags: input.imageTags ?? [], scrub, logLink }),
  ]);
  const notices = noticesSection({ summary, warnings: input.warnings ?? [], scrub });
  const resources =
    summary.resourceChanges.length > 0 ? resourceTable(summary.resourceChanges, logLink) : undefined;
  const outputs = summary.outputChanges.length > 0 ? outputTable(summary.outputChanges, logLink) : undefined;
  const resourcesFull = resources && tableSection(resources, resources.rows);
  const outputsFull = outputs && tableSection(outputs, outputs.rows);
  const frame: PlanFrame = {
    fence: fenceFor(lines.join('\n')),
    logLink,
    maxLength: input.maxLength ?? COMMENT_BODY_LIMIT,
  };
  const planFull = lines.length > 0 ? planSection(lines, lines.length, frame) : undefined;

  const complete = joinSections([head, resourcesFull, outputsFull, notices, planFull]);
  if (complete.length <= maxLength) return complete;

  const separator = '\n\n'.length;
  const beforePlan = joinSections([head, resourcesFull, outputsFull, notices]);
  const cutPlan = fitPlan(lines, maxLength - beforePlan.length - separator, frame);
  if (cutPlan !== undefined) return joinSections([beforePlan, cutPlan]);

  // Not even one plan line fits beside the tables: drop the text and cut the tables instead.
  const omitted =
    lines.length > 0
      ? `The plan text (${formatCount(lines.length)} lines) does not fit in a comment next to the ` +
        `change tables. The full plan is in the ${logLink}.`
      : undefined;
  let tableBudget = maxLength - joinSections([head, notices, omitted]).length - 2 * separator;
  // Outputs get what the resource table leaves, and at least a quarter: resources matter more.
  const resourcesRoom = resourcesFull === undefined ? 0 : resourcesFull.length + separator;
  const outputsCut =
    outputs && fitTable(outputs, Math.max(Math.floor(tableBudget / 4), tableBudget - resourcesRoom));
  if (outputsCut !== undefined) tableBudget -= outputsCut.length + separator;
  const resourcesCut = resources && fitTable(resources, tableBudget);
  return checkedLength(joinSections([head, resourcesCut, outputsCut, notices, omitted]), maxLength);
}

/**
 * Only the fixed parts can overflow here (an absurd working directory label or image reference, or
 * a tiny maxLength): say so rather than let GitHub answer 422 with a generic message.
 */
function checkedLength(body: string, maxLength: number): string {
  if (body.length <= maxLength) return body;
  throw new DeployError(
    'comment-too-long',
    `The plan comment needs ${formatCount(body.length)} characters even with the plan text and tables cut; the limit is ${formatCount(maxLength)}.`,
    'Shorten the working directory label and the image reference, or set comment-on-pr: false.',
  );
}
