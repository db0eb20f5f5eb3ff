/**
 * The input parser: reads one input at a time with validation helpers that record a problem and
 * return a placeholder, so one pass finds every mistake instead of stopping at the first. Every
 * problem is reported together, before any client is created, so a bad input never costs a build,
 * a plan or an AWS call.
 */

import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { CONTROL_CHARACTER } from '../text';
import { BASE_URL_EXPECTED, parseBaseUrl } from '../url';
import { INPUT_DEFAULTS } from './defaults';

/** What a path input names on disk, after every symlink: its real path and kind. */
export interface PathInfo {
  real: string;
  kind: 'file' | 'directory' | 'other';
}

/** Where the runner's files are; the bundled Terraform ships beside the action's own code. */
export interface ConfigPaths {
  workspace: string;
  bundledTerraform: string;
  /** Looks a path up (symlinks followed); undefined when it does not exist. Injected for tests. */
  inspect?: (path: string) => PathInfo | undefined;
}

/** The real filesystem: realpath resolves every symlink, so a link cannot point out of the workspace. */
export function inspectPath(path: string): PathInfo | undefined {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return undefined;
  }
  try {
    const stats = statSync(real);
    return { real, kind: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other' };
  } catch {
    return { real, kind: 'other' };
  }
}

export type InputReader = (name: string) => string;

/** Raised with every invalid input at once; its message is what the user sees, never a stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `${problems.length} invalid input${problems.length === 1 ? '' : 's'}; nothing was built, planned or changed:\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const BOOLEAN_TRUE = ['true', 'True', 'TRUE'];
const BOOLEAN_FALSE = ['false', 'False', 'FALSE'];

/** Inputs read one entry per line; each line is checked on its own, and errors give line numbers. */
const MULTI_LINE_INPUTS = new Set([
  'build-args',
  'backend-config',
  'terraform-vars',
  'var-files',
  'extra-tags',
  'target-group-arn',
  'protected-resource-types',
  'checkpoint-percentages',
]);

/**
 * Inputs whose values an error never repeats: secrets, and the key=value inputs whose values may be
 * secrets (a backend access key, a database password variable, a build token). Errors name the
 * input, the line and the key instead.
 */
const UNQUOTED_INPUTS = new Set([
  'dockerhub-token',
  'pull-token',
  'github-token',
  'backend-config',
  'terraform-vars',
  'build-args',
]);

/** At most this much of a rejected value is repeated in an error. */
const MAX_QUOTED_LENGTH = 120;

function quoted(value: string): string {
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
  return JSON.stringify(shown);
}

/**
 * Reads inputs with validation helpers that record a problem and return a placeholder, so one pass
 * finds every mistake instead of stopping at the first.
 */
export class InputParser {
  readonly problems: string[] = [];
  /** Values to mask in the log: secret inputs and the sensitive parts of others. */
  readonly sensitiveValues: string[] = [];

  constructor(
    readonly read: InputReader,
    readonly env: NodeJS.ProcessEnv,
    readonly paths: ConfigPaths,
  ) {}

  raw(name: string): string {
    const value = this.read(name).trim();
    this.refuseControlCharacters(name, value);
    if (value !== '') return value;
    return (INPUT_DEFAULTS as Record<string, string>)[name] ?? '';
  }

  /** Line breaks only between the lines of a multi-line input, no other control character anywhere. */
  private refuseControlCharacters(name: string, value: string): void {
    if (!MULTI_LINE_INPUTS.has(name)) {
      if (CONTROL_CHARACTER.test(value)) {
        this.problemWithoutValue(
          name,
          'contains a line break or another control character; expected a single line of printable text',
        );
      }
      return;
    }
    const badLine = value.split(/\r?\n/).findIndex((line) => CONTROL_CHARACTER.test(line));
    if (badLine !== -1) {
      this.problemWithoutValue(
        name,
        `line ${badLine + 1} contains a control character (CR, NUL, ESC, ...); expected printable text, one entry per line`,
      );
    }
  }

  /** False once a problem was recorded for `name`, so checks across inputs skip placeholder values. */
  isValid(...names: string[]): boolean {
    return names.every((name) => !this.problems.some((problem) => problem.startsWith(`${name}: `)));
  }

  /**
   * Records what is wrong with `name`, once per input: the first problem is the one to fix, and
   * checks after it would only be reacting to a placeholder. Secret and key=value inputs are named,
   * never quoted.
   */
  problem(name: string, value: string, expected: string): void {
    if (value === '') this.problemWithoutValue(name, `missing; ${expected}`);
    else if (UNQUOTED_INPUTS.has(name)) this.problemWithoutValue(name, expected);
    else this.problemWithoutValue(name, `${quoted(value)}; ${expected}`);
  }

  problemWithoutValue(name: string, text: string): void {
    if (!this.isValid(name)) return;
    this.problems.push(`${name}: ${text}.`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.raw(name);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, value, `expected one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }

  boolean(name: string): boolean {
    const value = this.raw(name);
    if (BOOLEAN_TRUE.includes(value)) return true;
    if (BOOLEAN_FALSE.includes(value)) return false;
    this.problem(name, value, 'expected true or false');
    return false;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.raw(name);
    if (/^-?\d+$/.test(value)) {
      const parsed = Number(value);
      if (parsed >= min && parsed <= max) return parsed;
    }
    this.problem(name, value, `expected a whole number from ${min} to ${max}`);
    return min;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === '' ? undefined : this.integer(name, min, max);
  }

  positiveNumber(name: string, max: number, unit: string): number {
    const value = this.raw(name);
    if (/^\d+(\.\d+)?$/.test(value)) {
      const parsed = Number(value);
      if (parsed > 0 && parsed <= max) return parsed;
    }
    this.problem(name, value, `expected a number of ${unit} greater than 0 and at most ${max}`);
    return max;
  }

  list(name: string): string[] {
    return this.raw(name)
      .split(/[\s,]+/)
      .filter((item) => item !== '');
  }

  /** One entry per non-empty line: for values that may contain commas or spaces. */
  lines(name: string): string[] {
    return this.numberedLines(name).map(({ text }) => text);
  }

  /** The non-empty lines with their 1-based line numbers, for errors that must not quote them. */
  numberedLines(name: string): { text: string; number: number }[] {
    return this.raw(name)
      .split(/\r?\n/)
      .map((line, index) => ({ text: line.trim(), number: index + 1 }))
      .filter(({ text }) => text !== '');
  }

  /**
   * `key=value` lines (the value may contain `=`), as Terraform's own -var and -backend-config take
   * them. Errors give the line number and the key, never the value, which may be a secret.
   */
  keyValues(name: string, keyPattern: RegExp, keyMeaning: string): Record<string, string> {
    const pairs: Record<string, string> = {};
    for (const { text, number } of this.numberedLines(name)) {
      const equals = text.indexOf('=');
      const key = equals === -1 ? '' : text.slice(0, equals).trim();
      if (!keyPattern.test(key)) {
        this.problemWithoutValue(
          name,
          `line ${number} is not key=value with the key being ${keyMeaning} (the line is not repeated here: it may hold a secret)`,
        );
      } else if (key in pairs) {
        this.problemWithoutValue(name, `${key} is set twice (line ${number})`);
      } else {
        pairs[key] = text.slice(equals + 1).trim();
      }
    }
    return pairs;
  }

  /**
   * A path input resolved inside the workspace, symlinks included, and of the expected kind. Paths
   * reach terraform and docker, which would read `/proc/self/environ` or `~/.docker/config.json` as
   * happily as a tfvars file: only files of the checked-out repository are accepted.
   */
  /**
   * A path input resolved (symlinks included) inside the workspace. A path the run will `use` must
   * also exist and be of `kind`; an `unused` one only has to stay inside.
   */
  workspacePath(
    name: string,
    text: string,
    kind: 'file' | 'directory',
    purpose: 'use' | 'unused' = 'use',
  ): string {
    const candidate = resolve(this.paths.workspace, text);
    const inspect = this.paths.inspect ?? inspectPath;
    const workspace = inspect(this.paths.workspace)?.real ?? resolve(this.paths.workspace);
    const found = inspect(candidate);
    const within = (path: string): boolean => {
      const rest = relative(workspace, path);
      return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
    };
    if (!within(candidate) || (found && !within(found.real))) {
      this.problem(
        name,
        text,
        `resolves outside the workspace (${workspace}); expected a path inside the repository checkout, symlinks included`,
      );
    } else if (purpose === 'unused') {
      return found?.real ?? candidate;
    } else if (!found) {
      this.problem(name, text, `no such ${kind} in the workspace (${workspace})`);
    } else if (found.kind !== kind) {
      this.problem(name, text, `is not a ${kind}; expected a ${kind} inside the workspace`);
    } else {
      return found.real;
    }
    return candidate;
  }

  region(): string {
    const fromInput = this.read('aws-region').trim();
    const value = fromInput || this.env.AWS_REGION?.trim() || this.env.AWS_DEFAULT_REGION?.trim() || '';
    if (REGION_PATTERN.test(value)) return value;
    this.problem(
      'aws-region',
      value,
      value === ''
        ? 'set the input or AWS_REGION, e.g. eu-west-1'
        : 'expected an AWS region code such as eu-west-1 or us-gov-west-1',
    );
    return value;
  }

  /** An http(s) base URL (see parseBaseUrl). */
  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    const url = parseBaseUrl(value);
    if (url === undefined) this.problem(name, value, BASE_URL_EXPECTED);
    return url;
  }
}
