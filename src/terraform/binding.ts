import { createHash } from 'node:crypto';
import { decodeBase64 } from './review';
import type { ResourceChange } from './types';

/**
 * What a plan binds: everything `apply` would do, with the image the plan deploys taken out. A
 * pull request is planned at the image deployed then, its merge is deployed with a new build, and
 * the deploy must apply exactly the plan reviewers saw except for that image. So every occurrence
 * of the image reference (plain, inside base64 or base64+gzip text such as user_data, in outputs)
 * becomes one placeholder, and a change that is the image alone (an update whose values are equal
 * once the image is taken out) is left out. Everything else — a resource added, removed or
 * changed, its action, any attribute, imports, moves, output values — goes into a digest per
 * change and one fingerprint over all of them.
 */

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Stands in for every sensitive value: no digest may depend on a secret. */
const SENSITIVE = '(sensitive)';

/** Stands in for the image reference wherever it appears. */
export const IMAGE_PLACEHOLDER = '(image)';

/** Never walk deeper than this into a value: plan JSON is data, and data can be hostile. */
const MAX_DEPTH = 64;

/** JSON with object keys sorted, so equal plans hash equally whatever order Terraform printed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  // Values come from parsed JSON, so there is no undefined or function to drop here.
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Replaces sensitive values by a marker. `sensitivity` mirrors `value`'s shape, with `true` where
 * Terraform marks a value sensitive (plan JSON's before_sensitive / after_sensitive).
 */
function maskSensitive(value: unknown, sensitivity: unknown): unknown {
  if (sensitivity === true) return SENSITIVE;
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      maskSensitive(item, Array.isArray(sensitivity) ? sensitivity[i] : undefined),
    );
  }
  if (value !== null && typeof value === 'object') {
    const marks = asObject(sensitivity);
    return Object.fromEntries(
      Object.entries(value as Json).map(([key, item]) => [key, maskSensitive(item, marks[key])]),
    );
  }
  return value;
}

/**
 * The image references a plan carries: the `image` variable the action sets, and the image the
 * stack deployed before (its `image` output's prior value). Only references pinned by digest
 * count, so no short or ordinary string is ever taken for the image.
 */
function planImages(plan: Json): string[] {
  const candidates = [
    asObject(asObject(plan.variables).image).value,
    asObject(asObject(plan.output_changes).image).before,
    asObject(asObject(asObject(asObject(plan.prior_state).values).outputs).image).value,
  ];
  const images = candidates.filter(
    (value): value is string => typeof value === 'string' && /@sha256:[0-9a-f]{64}$/.test(value),
  );
  // Longest first: one reference may contain another (a registry prefix added to the same path).
  return [...new Set(images)].sort((a, b) => b.length - a.length);
}

function replaceImages(text: string, images: string[]): string {
  return images.reduce((result, image) => result.split(image).join(IMAGE_PLACEHOLDER), text);
}

function mentionsImage(text: string, images: string[]): boolean {
  return images.some((image) => text.includes(image));
}

/**
 * `value` with every image reference replaced. A base64 (or base64+gzip) string whose text carries
 * the image becomes `{"(base64)": text}`: the encoded bytes differ with the image (gzip even in its
 * header), the decoded text with the image taken out does not.
 */
function withoutImage(value: unknown, images: string[], depth = 0): unknown {
  if (images.length === 0 || depth > MAX_DEPTH) return value;
  if (typeof value === 'string') {
    if (mentionsImage(value, images)) return replaceImages(value, images);
    const decoded = decodeBase64(value);
    return decoded && mentionsImage(decoded.text, images)
      ? { [`(${decoded.encoding})`]: replaceImages(decoded.text, images) }
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => withoutImage(item, images, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Json).map(([key, item]) => [key, withoutImage(item, images, depth + 1)]),
    );
  }
  return value;
}

/** `value` without the parts `unknown` (after_unknown's shape) marks as known only after apply. */
function withoutUnknown(value: unknown, unknown: unknown, depth = 0): unknown {
  if (unknown === true) return undefined;
  if (depth > MAX_DEPTH || unknown === undefined || unknown === null || unknown === false) return value;
  if (Array.isArray(value)) {
    const marks = asArray(unknown);
    return value.map((item, i) => withoutUnknown(item, marks[i], depth + 1));
  }
  if (value !== null && typeof value === 'object') {
    const marks = asObject(unknown);
    return Object.fromEntries(
      Object.entries(value as Json).map(([key, item]) => [key, withoutUnknown(item, marks[key], depth + 1)]),
    );
  }
  return value;
}

function containsTrue(mark: unknown, depth = 0): boolean {
  if (mark === true) return true;
  if (depth > MAX_DEPTH || mark === null || typeof mark !== 'object') return false;
  return Object.values(mark as Json).some((item) => containsTrue(item, depth + 1));
}

/**
 * The attributes the configuration sets on a resource (`expressions` of its block in the plan's
 * `configuration`), found through its module path (`module.a["x"].module.b` -> a, b).
 */
function configuredAttributes(plan: Json, entry: Json): Set<string> {
  const modules = [
    ...(typeof entry.module_address === 'string' ? entry.module_address : '').matchAll(
      /module\.([^.[]+)(?:\[[^\]]*\])?/g,
    ),
  ].map((match) => match[1] ?? '');
  let module = asObject(asObject(plan.configuration).root_module);
  for (const name of modules) module = asObject(asObject(asObject(module.module_calls)[name]).module);
  const block = asArray(module.resources)
    .map(asObject)
    .find(
      (resource) =>
        resource.type === entry.type && resource.name === entry.name && resource.mode === entry.mode,
    );
  return new Set(Object.keys(asObject(block?.expressions)));
}

/** One change as the digest covers it. */
interface BindingInput {
  address: string;
  action: string;
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  importing?: string;
  movedFrom?: string;
  rawActions?: string;
}

export interface BoundChange {
  /** A resource address, or `output.<name>`. */
  address: string;
  /** sha256 over the change with the image taken out and sensitive values masked. */
  digest: string;
}

export interface BoundPlan {
  /** sha256 over every bound change: equal for two plans that differ only in the image. */
  fingerprint: string;
  /** Every change but the image-only ones, in address order. */
  changes: BoundChange[];
  /** Resources and outputs whose change is the image alone, left out of the fingerprint. */
  imageOnly: string[];
}

/** The module call an address starts with: `module.web_tier`, `module.app["x"]`. */
const MODULE_PREFIX = /^module\.[^.[]+(?:\[[^\]]*\])?/;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Imports and moves are never the image alone; an update is when only the image explains it. */
function isImageOnlyUpdate(plan: Json, images: string[], entry: Json, resource: ResourceChange): boolean {
  if (resource.action !== 'update' || images.length === 0) return false;
  if (resource.importId !== undefined || resource.movedFrom !== undefined) return false;
  const change = asObject(entry.change);
  const known = withoutUnknown(change.before, change.after_unknown);
  // Nothing known changed: no image explains the update, so it is bound.
  if (canonicalJson(known) === canonicalJson(change.after)) return false;
  const canonical = (value: unknown): string => canonicalJson(withoutImage(value, images));
  if (canonical(known) !== canonical(change.after)) return false;
  const configured = configuredAttributes(plan, entry);
  const turnsUnknown = Object.entries(asObject(change.after_unknown))
    .filter(([, mark]) => containsTrue(mark))
    .map(([key]) => key);
  return turnsUnknown.every((key) => !configured.has(key));
}

/** An output's references reach an image-only resource: itself, an attribute, or its module. */
function refersToImageOnly(plan: Json, name: string, imageOnly: string[]): boolean {
  const output = asObject(asObject(asObject(asObject(plan.configuration).root_module).outputs)[name]);
  const references = asArray(asObject(output.expression).references).filter(
    (reference): reference is string => typeof reference === 'string',
  );
  return references.some((reference) => {
    const module = MODULE_PREFIX.exec(reference)?.[0];
    return imageOnly.some(
      (address) =>
        reference === address ||
        reference.startsWith(`${address}.`) ||
        (module !== undefined && address.startsWith(`${module}.`)),
    );
  });
}

/** An output update that is the image alone: the same value without it, or recomputed with it. */
function isImageOnlyOutput(
  plan: Json,
  images: string[],
  name: string,
  change: Json,
  imageOnly: string[],
): boolean {
  if (change.after_unknown === true) return refersToImageOnly(plan, name, imageOnly);
  return (
    images.length > 0 &&
    canonicalJson(withoutImage(change.before, images)) === canonicalJson(withoutImage(change.after, images))
  );
}

export interface PlanBinder {
  resource(entry: Json, change: Json, resource: ResourceChange): void;
  /** Outputs are judged once every resource is known: their image-only test refers to resources. */
  output(name: string, change: Json, action: string): void;
  finish(): BoundPlan;
}

/**
 * Collects a plan's changes as summarizePlan reads them and binds them. A resource update is the
 * image alone when its values, image taken out, are equal before and after, except attributes
 * that become known only after apply and that the configuration does not set (what the provider
 * recomputes on any update, a launch template's latest_version). An output update is the image
 * alone when its values are equal with the image taken out, or when it only becomes known after
 * apply and refers to a resource (or module) whose change is the image alone.
 */
export function createPlanBinder(plan: Json): PlanBinder {
  const images = planImages(plan);
  const bound: { address: string; input: string }[] = [];
  const imageOnly: string[] = [];
  const pendingOutputs: { name: string; change: Json; input: BindingInput }[] = [];

  const bind = (input: BindingInput, change: Json): void => {
    const masked = {
      ...input,
      before: maskSensitive(withoutImage(input.before, images), change.before_sensitive),
      after: maskSensitive(withoutImage(input.after, images), change.after_sensitive),
    };
    bound.push({ address: input.address, input: canonicalJson(masked) });
  };

  return {
    resource(entry: Json, change: Json, resource: ResourceChange): void {
      if (isImageOnlyUpdate(plan, images, entry, resource)) {
        imageOnly.push(resource.address);
        return;
      }
      const { importId, movedFrom, rawActions } = resource;
      bind(
        {
          address: resource.address,
          action: resource.action,
          before: change.before,
          after: change.after,
          afterUnknown: change.after_unknown,
          importing: importId,
          movedFrom,
          rawActions,
        },
        change,
      );
    },
    output(name: string, change: Json, action: string): void {
      const input = {
        address: `output.${name}`,
        action,
        before: change.before,
        after: change.after,
        afterUnknown: change.after_unknown,
      };
      pendingOutputs.push({ name, change, input });
    },
    finish(): BoundPlan {
      for (const { name, change, input } of pendingOutputs) {
        if (input.action === 'update' && isImageOnlyOutput(plan, images, name, change, imageOnly)) {
          imageOnly.push(input.address);
        } else bind(input, change);
      }
      const changes = bound
        .map(({ address, input }) => ({ address, digest: sha256(input) }))
        .sort((a, b) => compareText(a.address, b.address) || compareText(a.digest, b.digest));
      return {
        fingerprint: sha256(
          `[${bound
            .map(({ input }) => input)
            .sort(compareText)
            .join(',')}]`,
        ),
        changes,
        imageOnly: imageOnly.sort(compareText),
      };
    },
  };
}
