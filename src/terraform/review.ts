import { gunzipSync } from 'node:zlib';

/**
 * What a reviewer needs from a plan besides its changes: every value the plan marks sensitive (so
 * the comment can scrub them from all text it carries, Terraform's own included), the boot
 * scripts and rendered templates each side of a change, decoded, and the image before and after.
 */

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An attribute holding a boot script or a rendered template, and how it is decoded. */
export interface TextChange {
  address: string;
  /** Attribute path as Terraform prints it: `user_data`, `part[0].content`. */
  attribute: string;
  encoding: 'text' | 'base64' | 'base64+gzip';
  /** Decoded; undefined when that side does not exist (a create, a delete). */
  before: string | undefined;
  after: string | undefined;
  /** The new value is known only after apply (it depends on a resource not created yet). */
  afterUnknown: boolean;
  /** Either side is sensitive: the comment names the change but shows no line of it. */
  sensitive: boolean;
}

export interface PlanReview {
  /** Every sensitive value of the plan as text, longest first; see SHORT_SENSITIVE_LENGTH. */
  sensitiveValues: string[];
  textChanges: TextChange[];
  /** The `image` output before and after, when the configuration declares one (the bundled stack does). */
  image: { before: string | undefined; after: string | undefined } | undefined;
}

/**
 * Sensitive values shorter than this are scrubbed only where they stand as a whole quoted string
 * (`"abc"`), not as a substring: a three-letter secret would otherwise blank out every word that
 * contains those letters.
 */
export const SHORT_SENSITIVE_LENGTH = 6;

/** Attributes known to hold base64 or rendered text, by name (any depth, e.g. cloudinit parts). */
const TEXT_ATTRIBUTES = new Set([
  'user_data',
  'user_data_base64',
  'rendered',
  'content',
  'content_base64',
  'template',
]);

/** Never walk deeper than this into a value: plan JSON is data, and data can be hostile. */
const MAX_DEPTH = 32;

/** Decoded texts longer than this are not diffed line by line (a 16 KB user_data limit applies on AWS). */
const MAX_TEXT_LENGTH = 256 * 1024;

function collectLeaves(value: unknown, into: string[], depth = 0): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number') into.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collectLeaves(item, into, depth + 1);
  else if (typeof value === 'object')
    for (const item of Object.values(value)) collectLeaves(item, into, depth + 1);
  // Booleans carry no secret worth scrubbing, and "true" would blank out ordinary words.
}

/** The values that `sensitivity` (a mirror of `value`'s shape, `true` where sensitive) marks. */
function collectSensitive(value: unknown, sensitivity: unknown, into: string[], depth = 0): void {
  if (depth > MAX_DEPTH || sensitivity === undefined || sensitivity === null || sensitivity === false) return;
  if (sensitivity === true) {
    collectLeaves(value, into);
    return;
  }
  if (Array.isArray(sensitivity)) {
    const items = asArray(value);
    sensitivity.forEach((mark, i) => {
      collectSensitive(items[i], mark, into, depth + 1);
    });
  } else if (typeof sensitivity === 'object') {
    const fields = asObject(value);
    for (const [key, mark] of Object.entries(sensitivity))
      collectSensitive(fields[key], mark, into, depth + 1);
  }
}

/** Resources of a values representation (planned_values, prior_state.values), child modules included. */
function moduleResources(module: unknown, depth = 0): Json[] {
  if (depth > MAX_DEPTH) return [];
  const fields = asObject(module);
  return [
    ...asArray(fields.resources).map(asObject),
    ...asArray(fields.child_modules).flatMap((child) => moduleResources(child, depth + 1)),
  ];
}

function valuesSensitive(values: unknown, into: string[]): void {
  const fields = asObject(values);
  for (const resource of moduleResources(fields.root_module)) {
    collectSensitive(resource.values, resource.sensitive_values, into);
  }
  for (const output of Object.values(asObject(fields.outputs))) {
    const { sensitive, value } = asObject(output);
    if (sensitive === true) collectLeaves(value, into);
  }
}

function changeSensitive(entry: unknown, into: string[]): void {
  const change = asObject(asObject(entry).change);
  collectSensitive(change.before, change.before_sensitive, into);
  collectSensitive(change.after, change.after_sensitive, into);
}

/** Every value the plan marks sensitive: changes (before and after), drift, prior state, outputs, variables. */
function sensitiveValues(plan: Json): string[] {
  const found: string[] = [];
  for (const entry of [...asArray(plan.resource_changes), ...asArray(plan.resource_drift)])
    changeSensitive(entry, found);
  for (const entry of asArray(plan.deferred_changes)) changeSensitive(asObject(entry).resource_change, found);
  for (const output of Object.values(asObject(plan.output_changes))) {
    const change = asObject(output);
    // Outputs are sensitive as a whole: the marks are plain booleans.
    if (change.before_sensitive === true) collectLeaves(change.before, found);
    if (change.after_sensitive === true) collectLeaves(change.after, found);
  }
  valuesSensitive(plan.planned_values, found);
  valuesSensitive(asObject(plan.prior_state).values, found);
  const declared = asObject(asObject(asObject(plan.configuration).root_module).variables);
  for (const [name, variable] of Object.entries(asObject(plan.variables))) {
    if (asObject(declared[name]).sensitive === true) collectLeaves(asObject(variable).value, found);
  }
  const forms = found
    .filter((value) => value.trim() !== '')
    .map((value) => (value.length < SHORT_SENSITIVE_LENGTH ? `"${value}"` : value));
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Mostly printable UTF-8: what a boot script or template is, and random bytes are not. */
function isText(text: string): boolean {
  if (text.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex -- control characters other than tab and newlines mark binary data
  return !/[\u0000-\u0008\u000E-\u001F]/.test(text);
}

/** A base64 value decoded (gunzipped too when it is gzip, as cloudinit_config makes it), else undefined. */
export function decodeBase64(value: string): { text: string; encoding: TextChange['encoding'] } | undefined {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const text = gunzipSync(bytes, { maxOutputLength: MAX_TEXT_LENGTH }).toString('utf8');
      return isText(text) ? { text, encoding: 'base64+gzip' } : undefined;
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  return isText(text) ? { text, encoding: 'base64' } : undefined;
}

function decode(value: unknown): { text: string; encoding: TextChange['encoding'] } | undefined {
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH * 2) return undefined;
  return decodeBase64(value) ?? { text: value, encoding: 'text' };
}

function isMarked(mark: unknown): boolean {
  return mark === true;
}

interface Side {
  value: unknown;
  sensitive: unknown;
  unknown: unknown;
}

function child(side: Side, key: string | number): Side {
  const pick = (from: unknown): unknown =>
    typeof key === 'number' ? asArray(from)[key] : asObject(from)[key];
  // A mark of `true` on a parent covers every child.
  const inherit = (mark: unknown): unknown => (mark === true ? true : pick(mark));
  return { value: pick(side.value), sensitive: inherit(side.sensitive), unknown: inherit(side.unknown) };
}

function pathText(path: (string | number)[]): string {
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
}

function textChange(
  address: string,
  path: (string | number)[],
  before: Side,
  after: Side,
): TextChange | undefined {
  if (before.value === after.value && !isMarked(after.unknown)) return undefined;
  const sensitive = isMarked(before.sensitive) || isMarked(after.sensitive);
  const old = sensitive ? undefined : decode(before.value);
  const next = sensitive ? undefined : decode(after.value);
  if (!sensitive && old === undefined && next === undefined && !isMarked(after.unknown)) return undefined;
  if (!sensitive && old?.text === next?.text) return undefined;
  const encoding = next?.encoding ?? old?.encoding ?? 'text';
  return {
    address,
    attribute: pathText(path),
    encoding,
    before: old?.text,
    after: next?.text,
    afterUnknown: isMarked(after.unknown),
    sensitive,
  };
}

function findTextChanges(
  address: string,
  path: (string | number)[],
  before: Side,
  after: Side,
  into: TextChange[],
): void {
  if (path.length > MAX_DEPTH) return;
  const last = path.at(-1);
  if (typeof last === 'string' && TEXT_ATTRIBUTES.has(last)) {
    const change = textChange(address, path, before, after);
    if (change) into.push(change);
    return;
  }
  const keys = new Set<string | number>();
  for (const side of [before.value, after.value, after.unknown]) {
    if (Array.isArray(side)) side.forEach((_, i) => keys.add(i));
    else if (side !== null && typeof side === 'object') Object.keys(side).forEach((key) => keys.add(key));
  }
  for (const key of keys)
    findTextChanges(address, [...path, key], child(before, key), child(after, key), into);
}

function textChanges(plan: Json): TextChange[] {
  const found: TextChange[] = [];
  for (const entry of asArray(plan.resource_changes)) {
    const resource = asObject(entry);
    const change = asObject(resource.change);
    if (typeof resource.address !== 'string') continue;
    const before: Side = { value: change.before, sensitive: change.before_sensitive, unknown: undefined };
    const after: Side = {
      value: change.after,
      sensitive: change.after_sensitive,
      unknown: change.after_unknown,
    };
    findTextChanges(resource.address, [], before, after, found);
  }
  const key = (change: TextChange): string => `${change.address}\u0000${change.attribute}`;
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function imageChange(plan: Json): PlanReview['image'] {
  const change = asObject(asObject(plan.output_changes).image);
  if (change.actions === undefined || change.before_sensitive === true || change.after_sensitive === true) {
    return undefined;
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return { before: text(change.before), after: text(change.after) };
}

/** The review material of a plan JSON document (summarizePlan has already checked it is one). */
export function reviewPlan(planJson: unknown): PlanReview {
  const plan = asObject(planJson);
  return { sensitiveValues: sensitiveValues(plan), textChanges: textChanges(plan), image: imageChange(plan) };
}
