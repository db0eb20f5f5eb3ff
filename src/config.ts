/**
 * Turns the action's inputs into one typed, validated Config.
 *
 * Every problem is collected and reported together, before any client is created, so a bad input
 * never costs a build, a plan or an AWS call. Defaults live here (not only in action.yml) because a
 * local run through `node dist/index.js` gets no defaults from the runner; a test keeps both in step.
 */

import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  ImageInputError,
  isInRepository,
  imageTags,
  parseBuildArgs,
  parseExistingImage,
  parseRepository,
  type BuildSettings,
  type LocalBuildSettings,
  type ImageReference,
  type ImageRepository,
  type RegistryCredentials,
} from './image';
import { isSensitiveBackendKey } from './terraform/backend';
import { CONTROL_CHARACTER } from './text';
import { DEFAULT_PROTECTED_TYPES } from './terraform/guard';

export const COMMANDS = ['deploy', 'plan', 'rollout', 'scale-test', 'preflight'] as const;
export type Command = (typeof COMMANDS)[number];

export const IN_PROGRESS_POLICIES = ['wait', 'cancel', 'fail'] as const;
export type InProgressPolicy = (typeof IN_PROGRESS_POLICIES)[number];

export const TIMEOUT_POLICIES = ['rollback', 'cancel', 'none'] as const;
export type TimeoutPolicy = (typeof TIMEOUT_POLICIES)[number];

/** AWS's ScaleInProtectedInstances values; AWS's own default, Wait, waits an hour and then fails. */
export const SCALE_IN_PROTECTED_POLICIES = ['Refresh', 'Ignore', 'Wait'] as const;
export type ScaleInProtectedPolicy = (typeof SCALE_IN_PROTECTED_POLICIES)[number];

/** AWS's StandbyInstances values; AWS's own default, Wait, waits an hour and then fails. */
export const STANDBY_POLICIES = ['Terminate', 'Ignore', 'Wait'] as const;
export type StandbyPolicy = (typeof STANDBY_POLICIES)[number];

/** How long AWS waits for protected or Standby instances under `Wait` before failing the refresh. */
export const AWS_INSTANCE_WAIT_SECONDS = 3600;
/** AWS's CheckpointDelay when CheckpointPercentages is given without one. */
export const AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS = 3600;

/**
 * Emulation only: simulated seconds per real second of the emulated region the action talks to, so
 * the rollout's waits run on the region's clock. Honoured only together with aws-endpoint-url.
 */
export const EMULATED_TIME_SCALE_VARIABLE = 'HA_DJANGO_DEPLOY_EMULATED_TIME_SCALE';

export interface AwsSettings {
  region: string;
  /** Only set to reach an emulated or private endpoint; unset means the SDK's normal resolution. */
  endpointUrl: string | undefined;
  /** 1 against AWS; an emulated region's time scale (see EMULATED_TIME_SCALE_VARIABLE) in tests. */
  timeScale: number;
}

export interface RolloutSettings {
  asgName: string;
  /** Empty means: use the target groups attached to the Auto Scaling group. */
  targetGroupArns: string[];
  /** Undefined means: the launch template's latest version, resolved to its number at run time. */
  launchTemplateVersion: number | undefined;
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  instanceWarmupSeconds: number | undefined;
  skipMatching: boolean;
  autoRollback: boolean;
  checkpointPercentages: number[];
  checkpointDelaySeconds: number | undefined;
  onRefreshInProgress: InProgressPolicy;
  onTimeout: TimeoutPolicy;
  forceRefresh: boolean;
  waitTimeoutSeconds: number;
  pollIntervalSeconds: number;
  smokePath: string;
  /** Base URL for the smoke check; undefined means http://<the target group's ALB DNS name>. */
  appUrl: string | undefined;
  smokeCheck: boolean;
  scaleInProtectedInstances: ScaleInProtectedPolicy;
  standbyInstances: StandbyPolicy;
  /**
   * The commit every smoke-check answer must report. `rollout` takes it from expected-commit;
   * `deploy` from the image (the build's GITHUB_SHA, or an existing image's revision label).
   */
  expectedCommit: string | undefined;
  /** A real page of the app, requested with the public Host, that must answer 2xx. */
  smokeAppPath: string;
  /** CloudWatch Logs group of the instances' app logs, shown on a failed rollout; undefined: the stack's app_log_group output. */
  appLogGroup: string | undefined;
}

export interface ImageSettings {
  /** An image to deploy as it is (a rollback or redeploy): nothing is built. */
  existing: ImageReference | undefined;
  /**
   * Registry login for pushing a build, or for pulling a private existing image of the
   * image-repository. Undefined for an image elsewhere: credentials never leave their registry.
   */
  credentials: RegistryCredentials | undefined;
  /** Set when `deploy` builds: everything `docker build` needs. */
  build: BuildSettings | undefined;
  /** Set when the preflight command builds: the image is built locally and never pushed. */
  localBuild: LocalBuildSettings | undefined;
  /** The read-only login the instances pull a private image with; undefined pulls anonymously. */
  instancePull: RegistryCredentials | undefined;
}

export interface TerraformSettings {
  /** Absolute path of the configuration to plan and apply. */
  workingDirectory: string;
  /** How comments and logs name the configuration (the input as given, or `terraform (bundled)`). */
  label: string;
  /** `-backend-config` pairs for `terraform init`. */
  backendConfig: Record<string, string>;
  /** `-var` pairs, besides `image`, which the action sets. */
  variables: Record<string, string>;
  varFiles: string[];
  lockTimeout: string;
  allowDestroy: boolean;
  protectedResourceTypes: string[];
}

export interface GitHubSettings {
  commentOnPr: boolean;
  token: string | undefined;
  requireApprovedPlan: boolean;
}

export interface Config {
  command: Command;
  aws: AwsSettings;
  /** For `rollout`, the group named by the inputs; for `deploy`, filled from the Terraform outputs. */
  rollout: RolloutSettings;
  image: ImageSettings;
  terraform: TerraformSettings;
  github: GitHubSettings;
  scaleTest: ScaleTestSettings;
  /** Every input value that is a secret: masked in the log before anything runs. */
  secrets: string[];
  /** deploy runs the image as the instances will before pushing or planning it (src/preflight). */
  preflight: boolean;
}

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

/** Defaults for every optional input; action.yml carries the same values (checked by a test). */
export const INPUT_DEFAULTS = {
  command: 'deploy',
  'build-context': 'app',
  'lock-timeout': '5m',
  'allow-destroy': 'false',
  'protected-resource-types': DEFAULT_PROTECTED_TYPES.join(', '),
  'comment-on-pr': 'true',
  'require-approved-plan': 'false',
  'min-healthy-percentage': '100',
  'max-healthy-percentage': '200',
  'skip-matching': 'true',
  'auto-rollback': 'true',
  'on-refresh-in-progress': 'wait',
  'on-timeout': 'rollback',
  'force-refresh': 'false',
  'wait-timeout-minutes': '30',
  'poll-interval-seconds': '5',
  'smoke-path': '/health/',
  'smoke-check': 'true',
  'allow-image-outside-repository': 'false',
  'scale-in-protected-instances': 'Refresh',
  'standby-instances': 'Ignore',
  'smoke-app-path': '/',
  'stress-duration-seconds': '600',
  'stress-workers-per-vcpu': '1',
  'scale-test-timeout-minutes': '20',
  'wait-for-scale-in': 'false',
  preflight: 'true',
} as const satisfies Record<string, string>;

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
const TARGET_GROUP_ARN_PATTERN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
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
class InputParser {
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

  /**
   * An http(s) base URL, parsed here so a bad port or host fails as an input error and not later
   * as a TypeError. No user:password part (it would be printed with the URL), query or fragment
   * (paths are appended to it).
   */
  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    const expected =
      'expected an http:// or https:// URL with a host and an optional port (1-65535) and path, without user:password, query or fragment';
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problem(name, value, expected);
      return undefined;
    }
    const usable =
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      parsed.hostname !== '' &&
      parsed.username === '' &&
      parsed.password === '' &&
      parsed.search === '' &&
      parsed.hash === '' &&
      !value.includes('@') &&
      (parsed.port === '' || Number(parsed.port) > 0);
    if (usable) return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
    this.problem(name, value, expected);
    return undefined;
  }
}

/**
 * A path the smoke check appends to the app URL: it cannot start with `//` (which would name
 * another host) or carry spaces, quotes or backslashes.
 */
const SMOKE_PATH = /^\/(?!\/)[A-Za-z0-9\-._~/?=&%]*$/;

/** Inputs that name the group directly; `deploy` and `plan` take them from Terraform instead. */
const ROLLOUT_TARGET_INPUTS = ['asg-name', 'target-group-arn', 'launch-template-version'] as const;
/** scale-test may name its group too (a group managed elsewhere); it rolls nothing, so no version. */
const SCALE_TEST_TARGET_INPUTS: readonly string[] = ['asg-name', 'target-group-arn'];

/** asg-name, target-group-arn and launch-template-version belong to `rollout` (scale-test may name its group). */
function refuseGroupInputsOutsideRollout(inputs: InputParser, command: Command): void {
  if (command === 'rollout') return;
  for (const name of ROLLOUT_TARGET_INPUTS) {
    const value = inputs.raw(name);
    if (value !== '' && !(command === 'scale-test' && SCALE_TEST_TARGET_INPUTS.includes(name))) {
      inputs.problem(
        name,
        value,
        `only applies to command: rollout; ${command} reads it from the Terraform outputs it applies`,
      );
    }
  }
}

function parseAsgName(inputs: InputParser, command: Command): string {
  const asgName = inputs.raw('asg-name');
  if (
    (command === 'rollout' || (command === 'scale-test' && asgName !== '')) &&
    (asgName === '' || asgName.length > 255 || asgName.startsWith('arn:'))
  ) {
    inputs.problem(
      'asg-name',
      asgName,
      'expected the Auto Scaling group name (not its ARN), 1-255 characters',
    );
  }
  return asgName;
}

function parseTargetGroupArns(inputs: InputParser): string[] {
  const targetGroupArns = inputs.list('target-group-arn');
  for (const arn of targetGroupArns) {
    if (!TARGET_GROUP_ARN_PATTERN.test(arn)) {
      inputs.problem(
        'target-group-arn',
        arn,
        'expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex id>, or leave empty to use the group’s own target groups',
      );
    }
  }
  return targetGroupArns;
}

function parseLaunchTemplateVersion(inputs: InputParser): number | undefined {
  const versionInput = inputs.raw('launch-template-version');
  if (versionInput === '$Latest' || versionInput === '$Default') {
    inputs.problem(
      'launch-template-version',
      versionInput,
      'expected a version number: AWS cannot roll back a refresh to $Latest or $Default (IrreversibleInstanceRefresh); leave empty to use the latest version’s number',
    );
    return undefined;
  }
  return inputs.optionalInteger('launch-template-version', 1, Number.MAX_SAFE_INTEGER);
}

/** min/max-healthy-percentage, within what AWS accepts and leaving room to replace an instance. */
function parseHealthyRange(inputs: InputParser): { min: number; max: number } {
  const min = inputs.integer('min-healthy-percentage', 0, 100);
  const max = inputs.integer('max-healthy-percentage', 100, 200);
  if (!inputs.isValid('min-healthy-percentage', 'max-healthy-percentage')) return { min, max };
  if (max - min > 100) {
    inputs.problem(
      'max-healthy-percentage',
      String(max),
      `AWS allows at most 100 points between min-healthy-percentage (${min}) and max-healthy-percentage`,
    );
  }
  if (min === 100 && max === 100) {
    inputs.problem(
      'max-healthy-percentage',
      '100',
      'with min-healthy-percentage 100 there is no room to replace an instance; raise it (200 launches replacements first)',
    );
  }
  return { min, max };
}

/** Strictly ascending whole percentages ending at 100, and a delay only together with them. */
function parseCheckpoints(inputs: InputParser): { percentages: number[]; delaySeconds: number | undefined } {
  const percentages = inputs.list('checkpoint-percentages').map((item) => {
    const value = Number(item);
    if (!/^\d+$/.test(item) || value < 1 || value > 100) {
      inputs.problem('checkpoint-percentages', item, 'expected whole numbers from 1 to 100');
    }
    return value;
  });
  const ascending = percentages.every((value, i) => i === 0 || value > (percentages[i - 1] ?? 0));
  if (inputs.isValid('checkpoint-percentages') && !ascending) {
    inputs.problem('checkpoint-percentages', percentages.join(','), 'expected strictly ascending values');
  } else if (
    inputs.isValid('checkpoint-percentages') &&
    percentages.length > 0 &&
    percentages.at(-1) !== 100
  ) {
    inputs.problem(
      'checkpoint-percentages',
      percentages.join(','),
      'the last checkpoint must be 100, or the refresh stops before replacing every instance',
    );
  }
  const delaySeconds = inputs.optionalInteger('checkpoint-delay-seconds', 0, 172800);
  if (delaySeconds !== undefined && percentages.length === 0) {
    inputs.problem(
      'checkpoint-delay-seconds',
      String(delaySeconds),
      'only applies with checkpoint-percentages; set both or neither',
    );
  }
  return { percentages, delaySeconds };
}

/** wait-timeout-minutes and poll-interval-seconds; a poll must fit in the wait. */
function parseWaitTimes(inputs: InputParser): { waitTimeoutMinutes: number; pollIntervalSeconds: number } {
  const waitTimeoutMinutes = inputs.positiveNumber('wait-timeout-minutes', 360, 'minutes');
  const pollIntervalSeconds = inputs.positiveNumber('poll-interval-seconds', 300, 'seconds');
  if (
    inputs.isValid('wait-timeout-minutes', 'poll-interval-seconds') &&
    pollIntervalSeconds > waitTimeoutMinutes * 60
  ) {
    inputs.problem(
      'poll-interval-seconds',
      String(pollIntervalSeconds),
      `must be shorter than wait-timeout-minutes (${waitTimeoutMinutes} min)`,
    );
  }
  return { waitTimeoutMinutes, pollIntervalSeconds };
}

/** The checkpoints' pauses must fit in the wait, or the wait times out on a healthy refresh. */
function refuseCheckpointsLongerThanWait(
  inputs: InputParser,
  checkpoints: { percentages: number[]; delaySeconds: number | undefined },
  waitTimeoutMinutes: number,
): void {
  const { percentages, delaySeconds } = checkpoints;
  const budget = checkpointWaitSeconds(percentages, delaySeconds);
  if (
    !inputs.isValid('checkpoint-percentages', 'checkpoint-delay-seconds', 'wait-timeout-minutes') ||
    budget < waitTimeoutMinutes * 60
  ) {
    return;
  }
  const delay =
    delaySeconds === undefined
      ? `${AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS} s each (AWS's default when checkpoint-delay-seconds is empty)`
      : `${delaySeconds} s each (checkpoint-delay-seconds)`;
  inputs.problem(
    'wait-timeout-minutes',
    String(waitTimeoutMinutes),
    `checkpoint-percentages ${percentages.join(',')} pause the refresh ${percentages.length - 1} time(s) for ${delay}, ${budget} s in all, which does not fit the wait; raise wait-timeout-minutes above ${Math.ceil(budget / 60)} or set a shorter checkpoint-delay-seconds`,
  );
}

function parseExpectedCommit(inputs: InputParser, command: Command): string | undefined {
  const expectedCommit = inputs.raw('expected-commit');
  if (expectedCommit === '') return undefined;
  if (command !== 'rollout') {
    inputs.problem(
      'expected-commit',
      expectedCommit,
      `only applies to command: rollout; ${command} knows the commit of the image it deploys`,
    );
  } else if (!/^[0-9a-f]{7,40}$/.test(expectedCommit)) {
    inputs.problem(
      'expected-commit',
      expectedCommit,
      'expected a git commit SHA (7 to 40 lowercase hex digits)',
    );
  }
  return expectedCommit;
}

/** Appended to the app URL, so it cannot name a second host. */
function parseSmokePath(inputs: InputParser): string {
  const smokePath = inputs.raw('smoke-path');
  if (!SMOKE_PATH.test(smokePath)) {
    inputs.problem(
      'smoke-path',
      smokePath,
      'expected a URL path starting with a single /, e.g. /health/ (letters, digits and - . _ ~ / ? = & % only)',
    );
  }
  return smokePath;
}

function parseSmokeAppPath(inputs: InputParser): string {
  const smokeAppPath = inputs.raw('smoke-app-path');
  if (!smokeAppPath.startsWith('/') || /\s/.test(smokeAppPath)) {
    inputs.problem('smoke-app-path', smokeAppPath, 'expected a URL path starting with /, e.g. /');
  }
  return smokeAppPath;
}

function parseRollout(inputs: InputParser, command: Command): RolloutSettings {
  refuseGroupInputsOutsideRollout(inputs, command);
  const asgName = parseAsgName(inputs, command);
  const targetGroupArns = parseTargetGroupArns(inputs);
  const launchTemplateVersion = parseLaunchTemplateVersion(inputs);
  const healthy = parseHealthyRange(inputs);
  const checkpoints = parseCheckpoints(inputs);
  const smokePath = parseSmokePath(inputs);
  const { waitTimeoutMinutes, pollIntervalSeconds } = parseWaitTimes(inputs);
  refuseCheckpointsLongerThanWait(inputs, checkpoints, waitTimeoutMinutes);
  const expectedCommit = parseExpectedCommit(inputs, command);
  const smokeAppPath = parseSmokeAppPath(inputs);
  return {
    asgName,
    targetGroupArns,
    launchTemplateVersion,
    minHealthyPercentage: healthy.min,
    maxHealthyPercentage: healthy.max,
    instanceWarmupSeconds: inputs.optionalInteger('instance-warmup', 0, 86400),
    skipMatching: inputs.boolean('skip-matching'),
    autoRollback: inputs.boolean('auto-rollback'),
    checkpointPercentages: checkpoints.percentages,
    checkpointDelaySeconds: checkpoints.delaySeconds,
    onRefreshInProgress: inputs.oneOf('on-refresh-in-progress', IN_PROGRESS_POLICIES),
    onTimeout: inputs.oneOf('on-timeout', TIMEOUT_POLICIES),
    forceRefresh: inputs.boolean('force-refresh'),
    waitTimeoutSeconds: Math.round(waitTimeoutMinutes * 60),
    pollIntervalSeconds,
    smokePath,
    appUrl: inputs.url('app-url'),
    smokeCheck: inputs.boolean('smoke-check'),
    scaleInProtectedInstances: inputs.oneOf('scale-in-protected-instances', SCALE_IN_PROTECTED_POLICIES),
    standbyInstances: inputs.oneOf('standby-instances', STANDBY_POLICIES),
    expectedCommit,
    smokeAppPath,
    appLogGroup: logGroupName(inputs, 'app-log-group'),
  };
}

/** Seconds the refresh spends paused at checkpoints: every checkpoint but the last (100) pauses. */
export function checkpointWaitSeconds(percentages: number[], delaySeconds: number | undefined): number {
  const pauses = Math.max(0, percentages.length - 1);
  return pauses * (delaySeconds ?? AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS);
}

/** The emulation-only time scale: 1 unless the variable is set, and then only with an endpoint. */
function emulatedTimeScale(inputs: InputParser, endpointUrl: string | undefined): number {
  const value = inputs.env[EMULATED_TIME_SCALE_VARIABLE]?.trim() ?? '';
  if (value === '') return 1;
  const scale = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || scale <= 0) {
    inputs.problems.push(
      `${EMULATED_TIME_SCALE_VARIABLE}: ${JSON.stringify(value)}; expected a number greater than 0 (emulated regions only).`,
    );
    return 1;
  }
  if (endpointUrl === undefined) {
    inputs.problems.push(
      `${EMULATED_TIME_SCALE_VARIABLE}: set without aws-endpoint-url; it only applies to an emulated region and would distort every wait against AWS. Unset it.`,
    );
    return 1;
  }
  return scale;
}

/** CloudWatch Logs' own rule for group names: 1-512 of letters, digits and `._-/#`. */
function logGroupName(inputs: InputParser, name: string): string | undefined {
  const value = inputs.raw(name);
  if (value === '') return undefined;
  if (/^[\w.\-/#]{1,512}$/.test(value)) return value;
  inputs.problem(
    name,
    value,
    'expected a CloudWatch Logs group name (letters, digits and . _ - / #, up to 512)',
  );
  return undefined;
}

/** Runs an image parser, recording its message as a problem of `name` instead of throwing. */
function imageInput<T>(inputs: InputParser, name: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ImageInputError)) throw error;
    inputs.problems.push(`${name}: ${error.message}`);
    return undefined;
  }
}

/** Docker Hub and most registries: user names are letters, digits and a few separators. */
const REGISTRY_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}$/;

/**
 * The credentials to send when resolving an existing image: only to the image-repository they were
 * given for. An image outside that repository is refused, unless allow-image-outside-repository
 * says it is meant (a public base image, a mirror), and then it is resolved without credentials.
 */
function credentialsForImage(
  inputs: InputParser,
  image: ImageReference,
  repository: ImageRepository | undefined,
  credentials: RegistryCredentials | undefined,
  allowOutside: boolean,
): RegistryCredentials | undefined {
  if (!inputs.isValid('image', 'image-repository')) return undefined;
  if (repository === undefined) {
    if (credentials !== undefined) {
      inputs.problem(
        'image-repository',
        '',
        'dockerhub-username and dockerhub-token are only sent to the registry of image-repository: name the repository the image belongs to, or drop the credentials for a public image',
      );
    }
    return undefined;
  }
  if (isInRepository(image, repository)) return credentials;
  if (!allowOutside) {
    inputs.problem(
      'image',
      `${image.registry}/${image.path}`,
      `is outside image-repository (${repository.registry}/${repository.path}); deploy images of that repository, or set allow-image-outside-repository: true to deploy this one (it is then pulled without the registry credentials)`,
    );
  }
  return undefined;
}

/** The local name the preflight command builds under when image-repository is not given. */
const PREFLIGHT_REPOSITORY = parseRepository('ha-django-deploy-preflight');

function parseImage(inputs: InputParser, command: Command): ImageSettings {
  const imageText = inputs.raw('image');
  const allowOutside = inputs.boolean('allow-image-outside-repository');
  if ((command === 'rollout' || command === 'scale-test') && imageText !== '') {
    inputs.problem(
      'image',
      imageText,
      `${command} deploys no image (rollout moves the group to a launch template version); deploy an image with command: deploy`,
    );
  }
  const existing =
    imageText === '' ? undefined : imageInput(inputs, 'image', () => parseExistingImage(imageText));
  const username = inputs.raw('dockerhub-username');
  const password = inputs.raw('dockerhub-token');
  if ((username === '') !== (password === '')) {
    const missing = username === '' ? 'dockerhub-username' : 'dockerhub-token';
    inputs.problem(missing, '', 'set both dockerhub-username and dockerhub-token, or neither');
  }
  if (username !== '' && !REGISTRY_USERNAME.test(username)) {
    inputs.problem(
      'dockerhub-username',
      username,
      'expected a registry user name (letters, digits, . _ @ -)',
    );
  }
  const givenCredentials = username !== '' && password !== '' ? { username, password } : undefined;
  const repositoryText = inputs.raw('image-repository');
  const repository =
    repositoryText === ''
      ? undefined
      : imageInput(inputs, 'image-repository', () => parseRepository(repositoryText));
  // preflight builds like deploy, into the local image store only: no repository or login needed.
  const building = (command === 'deploy' || command === 'preflight') && imageText === '';
  const instancePull = parseInstancePull(inputs, command, username);
  if (!building) {
    // Not used without a build, but a path given is still held inside the workspace whatever the
    // command. Whether it exists matters only to a build: the runner hands the action.yml default
    // (app) to every run, also a plan in a repository whose app lives elsewhere.
    if (inputs.read('build-context').trim() !== '') {
      inputs.workspacePath('build-context', inputs.raw('build-context'), 'directory', 'unused');
    }
    if (inputs.raw('dockerfile') !== '') {
      inputs.workspacePath('dockerfile', inputs.raw('dockerfile'), 'file', 'unused');
    }
    const credentials =
      existing && credentialsForImage(inputs, existing, repository, givenCredentials, allowOutside);
    return { existing, credentials, build: undefined, localBuild: undefined, instancePull };
  }
  const credentials = givenCredentials;

  if (repositoryText === '' && command === 'deploy') {
    inputs.problem(
      'image-repository',
      '',
      'deploy builds an image when image is empty: name the repository to push to, e.g. acme/web',
    );
  }
  if (!credentials && username === '' && password === '' && command === 'deploy') {
    inputs.problem(
      'dockerhub-token',
      '',
      'deploy pushes the image it builds: set dockerhub-username and dockerhub-token (an access token, from secrets), or give an existing image',
    );
  }
  const revision = inputs.env.GITHUB_SHA?.trim() ?? '';
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    inputs.problems.push(
      `GITHUB_SHA: ${revision === '' ? 'missing' : JSON.stringify(revision)}; the commit to tag the image with (GitHub Actions sets it; set it when running locally).`,
    );
  }
  const extraTags = inputs.list('extra-tags');
  imageInput(inputs, 'extra-tags', () => imageTags('build', extraTags));
  const buildArgs =
    imageInput(inputs, 'build-args', () => parseBuildArgs(inputs.raw('build-args').split(/\r?\n/))) ?? {};
  const context = inputs.workspacePath('build-context', inputs.raw('build-context'), 'directory');
  const dockerfileText = inputs.raw('dockerfile');
  const dockerfile =
    dockerfileText === '' ? undefined : inputs.workspacePath('dockerfile', dockerfileText, 'file');
  const localBuild = {
    repository: repository ?? PREFLIGHT_REPOSITORY,
    context,
    dockerfile,
    revision,
    extraTags,
    buildArgs,
  };
  if (command === 'preflight') return { existing, credentials, build: undefined, localBuild, instancePull };
  const build = repository && credentials ? { ...localBuild, repository, credentials } : undefined;
  return { existing, credentials, build, localBuild: undefined, instancePull };
}

/** pull-token (and its user) for the instances' docker login; only Terraform commands store it. */
function parseInstancePull(
  inputs: InputParser,
  command: Command,
  pushUsername: string,
): RegistryCredentials | undefined {
  const token = inputs.raw('pull-token');
  const explicitUser = inputs.raw('pull-username');
  const username = explicitUser || pushUsername;
  if (command === 'rollout' && (token !== '' || explicitUser !== '')) {
    inputs.problem(
      token !== '' ? 'pull-token' : 'pull-username',
      token !== '' ? '***' : explicitUser,
      'rollout runs no Terraform, so it cannot store the token; pass it to deploy and plan',
    );
    return undefined;
  }
  if (token === '') {
    if (explicitUser !== '')
      inputs.problem(
        'pull-token',
        '',
        `pull-username (${explicitUser}) is set: set pull-token too, or neither for a public image`,
      );
    return undefined;
  }
  if (username === '') {
    inputs.problem(
      'pull-username',
      '',
      'pull-token needs its registry user: set pull-username (or dockerhub-username)',
    );
    return undefined;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/.test(username)) {
    inputs.problem(
      explicitUser ? 'pull-username' : 'dockerhub-username',
      username,
      'expected a registry user name (letters, digits, . _ @ -)',
    );
    return undefined;
  }
  if (/\s/.test(token)) {
    inputs.problem('pull-token', '***', 'contains whitespace; paste the token alone (from secrets)');
    return undefined;
  }
  return { username, password: token };
}

const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BACKEND_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Terraform's duration syntax for -lock-timeout. */
const LOCK_TIMEOUT = /^\d+(ms|s|m|h)$/;
/** Keys without which the bundled stack's S3 backend cannot find its state. */
const REQUIRED_BACKEND_KEYS = ['bucket', 'key'];

function parseTerraform(inputs: InputParser, command: Command, paths: ConfigPaths): TerraformSettings {
  const namesGroup = command === 'scale-test' && inputs.raw('asg-name') !== '';
  if (command === 'rollout' || namesGroup) {
    for (const name of ['working-directory', 'backend-config', 'terraform-vars', 'var-files'] as const) {
      const value = inputs.raw(name);
      if (value !== '')
        inputs.problem(
          name,
          value,
          command === 'rollout'
            ? 'rollout runs no Terraform; use command: deploy to apply'
            : 'scale-test reads the stack from Terraform only when asg-name is empty; set one or the other',
        );
    }
  }
  const directoryText = inputs.raw('working-directory');
  const bundled = directoryText === '';
  const backendConfig = inputs.keyValues('backend-config', BACKEND_KEY, 'a backend setting such as bucket');
  // preflight stops before Terraform: a pull request job may share the deploy's inputs.
  const usesTerraform = command !== 'rollout' && command !== 'preflight' && !namesGroup;
  if (usesTerraform && bundled && inputs.isValid('backend-config')) {
    const missing = REQUIRED_BACKEND_KEYS.filter((key) => !(key in backendConfig));
    if (missing.length > 0) {
      inputs.problem(
        'backend-config',
        inputs.raw('backend-config'),
        `the bundled stack keeps its state in S3 and needs ${missing.join(' and ')}: e.g. bucket=acme-tfstate, key=web/prod.tfstate, region=eu-west-1`,
      );
    }
  }
  const variables = inputs.keyValues('terraform-vars', TERRAFORM_NAME, 'a Terraform variable name');
  if ('image' in variables) {
    inputs.problem(
      'terraform-vars',
      'image=...',
      'the action sets image itself; use the image input to deploy a given image',
    );
  }
  for (const key of Object.keys(backendConfig).filter(isSensitiveBackendKey)) {
    inputs.sensitiveValues.push(backendConfig[key] ?? '');
  }
  for (const name of ['registry_pull_token', 'registry_username'].filter(
    (variable) => variable in variables,
  )) {
    inputs.problem(
      'terraform-vars',
      `${name}=...`,
      'a -var would put it on the command line and in the plan: use the pull-token and pull-username inputs',
    );
  }
  const lockTimeout = inputs.raw('lock-timeout');
  if (!LOCK_TIMEOUT.test(lockTimeout)) {
    inputs.problem('lock-timeout', lockTimeout, 'expected a Terraform duration such as 30s, 5m or 1h');
  }
  const protectedResourceTypes = inputs.list('protected-resource-types');
  for (const type of protectedResourceTypes) {
    if (!/^[a-z][a-z0-9_]*$/.test(type)) {
      inputs.problem('protected-resource-types', type, 'expected Terraform resource types such as aws_vpc');
    }
  }
  const workingDirectory =
    bundled || !usesTerraform
      ? paths.bundledTerraform
      : inputs.workspacePath('working-directory', directoryText, 'directory');
  const varFiles = usesTerraform
    ? inputs.lines('var-files').map((file) => inputs.workspacePath('var-files', file, 'file'))
    : [];
  return {
    workingDirectory,
    label: bundled ? 'terraform (bundled)' : directoryText,
    backendConfig,
    variables,
    varFiles,
    lockTimeout,
    allowDestroy: inputs.boolean('allow-destroy'),
    protectedResourceTypes,
  };
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

function parseGitHub(inputs: InputParser, command: Command): GitHubSettings {
  const commentOnPr = inputs.boolean('comment-on-pr');
  const requireApprovedPlan = inputs.boolean('require-approved-plan');
  const token = inputs.raw('github-token');
  const event = inputs.env.GITHUB_EVENT_NAME ?? '';
  const commenting = command === 'plan' && commentOnPr;
  if (commenting && !PULL_REQUEST_EVENTS.includes(event)) {
    inputs.problem(
      'comment-on-pr',
      'true',
      `plan comments on a pull request, and this run's event is ${event === '' ? 'not a GitHub event' : event}; run plan on pull_request, or set comment-on-pr: false`,
    );
  }
  if (requireApprovedPlan && command !== 'deploy') {
    inputs.problem('require-approved-plan', 'true', `only applies to command: deploy, not ${command}`);
  }
  if ((commenting || (requireApprovedPlan && command === 'deploy')) && token === '') {
    inputs.problem(
      'github-token',
      '',
      `${commenting ? 'commenting the plan' : 'checking the approved plan'} calls the GitHub API: pass github-token: \${{ github.token }}`,
    );
  }
  return { commentOnPr, token: token === '' ? undefined : token, requireApprovedPlan };
}

/**
 * Parses and validates every input; throws ConfigError listing all problems. Pure: no I/O, so it
 * runs before anything is built, planned or changed.
 */
export function parseConfig(
  read: InputReader,
  env: NodeJS.ProcessEnv = {},
  paths: ConfigPaths = { workspace: env.GITHUB_WORKSPACE ?? '.', bundledTerraform: 'terraform' },
): Config {
  const inputs = new InputParser(read, env, paths);
  const command = inputs.oneOf('command', COMMANDS);
  const endpointUrl = inputs.url('aws-endpoint-url');
  const aws: AwsSettings = {
    region: inputs.region(),
    endpointUrl,
    timeScale: emulatedTimeScale(inputs, endpointUrl),
  };
  // Which other inputs apply depends on the command: guessing one would only add noise.
  if (!inputs.isValid('command')) throw new ConfigError(inputs.problems);
  const rollout = parseRollout(inputs, command);
  const image = parseImage(inputs, command);
  const terraform = parseTerraform(inputs, command, paths);
  const github = parseGitHub(inputs, command);
  const scaleTest = parseScaleTest(inputs);
  const preflight = inputs.boolean('preflight');
  if (inputs.problems.length > 0) throw new ConfigError(inputs.problems);
  const secrets = [
    inputs.raw('dockerhub-token'),
    inputs.raw('github-token'),
    inputs.raw('pull-token'),
    ...inputs.sensitiveValues,
  ].filter((secret) => secret !== '');
  return { command, aws, rollout, image, terraform, github, scaleTest, secrets, preflight };
}

/** `scale-test`: how hard and how long to load the fleet, and how long to watch it scale. */
export interface ScaleTestSettings {
  /** The burn ends by itself after this long, even if nobody cancels it. */
  stressDurationSeconds: number;
  /** Busy-loop processes per vCPU the instance reports (`nproc`). */
  workersPerVcpu: number;
  timeoutSeconds: number;
  /** Also wait for the group to scale back in (AWS takes ~15 minutes of low CPU) and report it. */
  waitForScaleIn: boolean;
}

/** A burn too short to outlast the alarm's evaluation would only prove nothing; an hour is plenty. */
export const STRESS_DURATION_LIMITS = { min: 30, max: 3600 } as const;
export const WORKERS_PER_VCPU_MAX = 8;
function parseScaleTest(inputs: InputParser): ScaleTestSettings {
  const stressDurationSeconds = inputs.integer(
    'stress-duration-seconds',
    STRESS_DURATION_LIMITS.min,
    STRESS_DURATION_LIMITS.max,
  );
  const workersPerVcpu = inputs.integer('stress-workers-per-vcpu', 1, WORKERS_PER_VCPU_MAX);
  const timeoutMinutes = inputs.positiveNumber('scale-test-timeout-minutes', 240, 'minutes');
  if (
    inputs.isValid('stress-duration-seconds', 'scale-test-timeout-minutes') &&
    stressDurationSeconds > timeoutMinutes * 60
  ) {
    inputs.problem(
      'stress-duration-seconds',
      String(stressDurationSeconds),
      `must not outlast scale-test-timeout-minutes (${timeoutMinutes} min = ${Math.round(timeoutMinutes * 60)} s): the test stops the load at its deadline`,
    );
  }
  return {
    stressDurationSeconds,
    workersPerVcpu,
    timeoutSeconds: Math.round(timeoutMinutes * 60),
    waitForScaleIn: inputs.boolean('wait-for-scale-in'),
  };
}
