import type { BoundChange, ChangeAction, PlanSummary, ResourceChange } from '../terraform';
import { CONTROL_CHARACTER } from '../text';

/**
 * The hidden marker at the top of a plan comment: an HTML comment holding a small JSON record. It
 * lets a later run find its own comment among everybody else's, and lets a deploy check that it
 * applies the plan reviewers saw on the pull request.
 */

export const COMMENT_TOOL_ID = 'ha-django-deploy';
export const MARKER_FORMAT_VERSION = 1;
const MARKER_OPENING = `<!-- ${COMMENT_TOOL_ID}:plan `;
const MARKER_CLOSING = ' -->';

/**
 * Characters the marker may spend on its `changes` list. At about 40 characters per entry that is
 * some 250 resource changes, which covers ordinary plans exactly; a larger plan records the first
 * ones in address order plus a count of the rest, and leaves the rest of the 65,536 characters to
 * what reviewers read.
 */
export const MARKER_CHANGES_BUDGET = 10_000;

/**
 * Characters the marker may spend on its `values` list (`<12 hex digits> <address>`, some 55
 * characters an entry): what lets a deploy name a resource or output whose planned values differ.
 */
export const MARKER_VALUES_BUDGET = 12_000;

/** The digest prefix a `values` entry keeps: enough to tell two plans' values apart by name. */
const VALUE_DIGEST_LENGTH = 12;

/** Terraform's own plan symbols, so a recorded entry reads like the plan text. */
export const ACTION_SYMBOLS: Record<ChangeAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  'replace-create-first': '+/-',
  'replace-forget': '+/.',
  read: '<=',
  forget: '.',
  // Terraform prints no symbol for an object only imported or moved; the entry needs one.
  'no-op': '=',
  unknown: '?',
};

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

export interface PlanMarker {
  tool: typeof COMMENT_TOOL_ID;
  version: number;
  /** The working directory label: one comment per pull request and label. */
  workingDirectory: string;
  /** The commit the plan was made at. */
  commit: string;
  fingerprint: string;
  image: string;
  counts: PlanCounts;
  /**
   * `<symbol> <address>` for each resource change in address order (code-unit order), cut where
   * MARKER_CHANGES_BUDGET runs out. Changes that are the image alone are left out, as the
   * fingerprint leaves them out.
   */
  changes: string[];
  /** How many resource changes after the last recorded one did not fit. */
  unrecorded: number;
  /**
   * `<digest prefix> <address>` for each change the fingerprint binds (resources and
   * `output.<name>`), in address order, cut where MARKER_VALUES_BUDGET runs out. Absent in
   * comments of earlier versions.
   */
  values?: string[];
  /** How many bound changes after the last `values` entry did not fit. */
  unrecordedValues?: number;
}

/** Address order by UTF-16 code units: the same on every machine, unlike a locale comparison. */
export function compareAddresses(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Imports and moves are part of what was approved, so the entry's symbol carries them. */
export function changeEntry(
  address: string,
  action: ChangeAction,
  also: Pick<ResourceChange, 'importId' | 'movedFrom'> = {},
): string {
  const flags = `${also.importId === undefined ? '' : ',import'}${also.movedFrom === undefined ? '' : ',moved'}`;
  return `${ACTION_SYMBOLS[action]}${flags} ${address}`;
}

/** Splits a recorded entry back into its symbol and address (addresses may contain spaces). */
export function parseChangeEntry(entry: string): { symbol: string; address: string } {
  const space = entry.indexOf(' ');
  return space < 0
    ? { symbol: '', address: entry }
    : { symbol: entry.slice(0, space), address: entry.slice(space + 1) };
}

/** `entries` from the first on, as many as fit in `budget` serialized characters. */
function withinBudget(entries: string[], budget: number): string[] {
  const kept: string[] = [];
  let spent = 0;
  for (const entry of entries) {
    // Serialized cost: the quoted, escaped string plus its comma.
    const cost = JSON.stringify(entry).length + 1;
    if (spent + cost > budget) break;
    kept.push(entry);
    spent += cost;
  }
  return kept;
}

/** The plan's totals without the updates that are the image alone, as the fingerprint counts them. */
export function boundCounts(summary: PlanSummary): PlanCounts {
  const imageOnly = new Set(summary.imageOnly);
  const imageUpdates = summary.resourceChanges.filter((change) => imageOnly.has(change.address)).length;
  return {
    add: summary.add,
    change: summary.change - imageUpdates,
    destroy: summary.destroy,
    replace: summary.replace,
  };
}

/** A `values` entry: the digest prefix and the address. */
export function valueEntry(change: BoundChange): string {
  return `${change.digest.replace(/^sha256:/, '').slice(0, VALUE_DIGEST_LENGTH)} ${change.address}`;
}

export function buildMarker(
  summary: PlanSummary,
  context: { workingDirectory: string; commit: string; image: string },
): PlanMarker {
  const imageOnly = new Set(summary.imageOnly);
  const entries = summary.resourceChanges
    .filter((change) => !imageOnly.has(change.address))
    .map((change) => ({ address: change.address, entry: changeEntry(change.address, change.action, change) }))
    .sort((a, b) => compareAddresses(a.address, b.address))
    .map(({ entry }) => entry);
  const changes = withinBudget(entries, MARKER_CHANGES_BUDGET);
  const values = withinBudget(summary.bound.map(valueEntry), MARKER_VALUES_BUDGET);
  return {
    tool: COMMENT_TOOL_ID,
    version: MARKER_FORMAT_VERSION,
    workingDirectory: context.workingDirectory,
    commit: context.commit,
    fingerprint: summary.fingerprint,
    image: context.image,
    counts: boundCounts(summary),
    changes,
    unrecorded: entries.length - changes.length,
    values,
    unrecordedValues: summary.bound.length - values.length,
  };
}

/**
 * The marker as an HTML comment. `<`, `>` and `&` are written as JSON unicode escapes, so no
 * address can contain the `-->` that would end the comment and show the rest of the JSON.
 */
export function serializeMarker(marker: PlanMarker): string {
  const json = JSON.stringify(marker).replace(
    /[<>&]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${MARKER_OPENING}${json}${MARKER_CLOSING}`;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

const COMMIT_PATTERN = /^[0-9a-f]{40}$/;
/** The plan fingerprint summarizePlan writes: `sha256:` and 64 lower-case hex digits. */
const FINGERPRINT_PATTERN = /^sha256:[0-9a-f]{64}$/;
/**
 * The image a plan deploys: always pinned by digest, `registry/path@sha256:<64 hex>`, path
 * components as Docker allows them; a marker naming anything else was not written by this action.
 */
const PINNED_IMAGE_PATTERN =
  /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*@sha256:[0-9a-f]{64}$/;
const SYMBOLS = new Set(Object.values(ACTION_SYMBOLS));

function isPrintable(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !CONTROL_CHARACTER.test(value);
}

/** changeEntry's flags, in the order it writes them: `<symbol>[,import][,moved]`. */
const ENTRY_FLAGS_PATTERN = /^(?:,import)?(?:,moved)?$/;

function isChangeEntry(value: unknown): boolean {
  if (!isPrintable(value)) return false;
  const { symbol, address } = parseChangeEntry(value);
  const flagsAt = symbol.indexOf(',');
  const actionSymbol = flagsAt < 0 ? symbol : symbol.slice(0, flagsAt);
  const flags = flagsAt < 0 ? '' : symbol.slice(flagsAt);
  return SYMBOLS.has(actionSymbol) && ENTRY_FLAGS_PATTERN.test(flags) && address !== '';
}

const VALUE_ENTRY_PATTERN = new RegExp(`^[0-9a-f]{${VALUE_DIGEST_LENGTH}} \\S`);

function isValueEntry(value: unknown): boolean {
  return isPrintable(value) && VALUE_ENTRY_PATTERN.test(value);
}

/** Every field checked for type and format: a marker is evidence in the approval check. */
function isPlanMarker(value: unknown): value is PlanMarker {
  if (typeof value !== 'object' || value === null) return false;
  const marker = value as Partial<Record<keyof PlanMarker, unknown>>;
  const counts = marker.counts as Partial<Record<keyof PlanCounts, unknown>> | null | undefined;
  return (
    marker.tool === COMMENT_TOOL_ID &&
    marker.version === MARKER_FORMAT_VERSION &&
    isPrintable(marker.workingDirectory) &&
    typeof marker.commit === 'string' &&
    COMMIT_PATTERN.test(marker.commit) &&
    typeof marker.fingerprint === 'string' &&
    FINGERPRINT_PATTERN.test(marker.fingerprint) &&
    typeof marker.image === 'string' &&
    PINNED_IMAGE_PATTERN.test(marker.image) &&
    typeof counts === 'object' &&
    counts !== null &&
    isCount(counts.add) &&
    isCount(counts.change) &&
    isCount(counts.destroy) &&
    isCount(counts.replace) &&
    Array.isArray(marker.changes) &&
    marker.changes.every(isChangeEntry) &&
    isCount(marker.unrecorded) &&
    (marker.values === undefined || (Array.isArray(marker.values) && marker.values.every(isValueEntry))) &&
    (marker.unrecordedValues === undefined || isCount(marker.unrecordedValues))
  );
}

/**
 * The marker of a comment this action wrote, or undefined. The marker must open the body (where
 * renderPlanComment puts it): one quoted further down, in a reply or a pasted plan, is not this
 * action's. Markers damaged by a hand edit, of an unknown format version, or with any field out of
 * format are refused.
 */
export function parseCommentMarker(body: string | null | undefined): PlanMarker | undefined {
  if (!body?.startsWith(MARKER_OPENING)) return undefined;
  const end = body.indexOf(MARKER_CLOSING, MARKER_OPENING.length);
  if (end < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(MARKER_OPENING.length, end));
  } catch {
    return undefined;
  }
  return isPlanMarker(parsed) ? parsed : undefined;
}
