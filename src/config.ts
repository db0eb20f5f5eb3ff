/**
 * Turns the action's inputs into one typed, validated Config.
 *
 * Every problem is collected and reported together, before any client is created, so a bad input
 * never costs a build, a plan or an AWS call. Defaults live here (not only in action.yml) because a
 * local run through `node dist/index.js` gets no defaults from the runner; a test keeps both in step.
 */

import { resolve } from 'node:path';
import {
  ImageInputError,
  imageTags,
  parseBuildArgs,
  parseExistingImage,
  parseRepository,
  type BuildSettings,
  type ImageReference,
  type RegistryCredentials,
} from './image';
import { DEFAULT_PROTECTED_TYPES } from './terraform/guard';

export const COMMANDS = ['deploy', 'plan', 'rollout', 'scale-test'] as const;
export type Command = (typeof COMMANDS)[number];

export const IN_PROGRESS_POLICIES = ['wait', 'cancel', 'fail'] as const;
export type InProgressPolicy = (typeof IN_PROGRESS_POLICIES)[number];

export const TIMEOUT_POLICIES = ['rollback', 'cancel', 'none'] as const;
export type TimeoutPolicy = (typeof TIMEOUT_POLICIES)[number];

export interface AwsSettings {
  region: string;
  /** Only set to reach an emulated or private endpoint; unset means the SDK's normal resolution. */
  endpointUrl: string | undefined;
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
  /** CloudWatch Logs group of the instances' app logs, shown on a failed rollout; undefined: the stack's app_log_group output. */
  appLogGroup: string | undefined;
}

export interface ImageSettings {
  /** An image to deploy as it is (a rollback or redeploy): nothing is built. */
  existing: ImageReference | undefined;
  /** Registry login for pulling a private existing image, or for pushing a build. */
  credentials: RegistryCredentials | undefined;
  /** Set when `deploy` builds: everything `docker build` needs. */
  build: BuildSettings | undefined;
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
}

/** Where the runner's files are; the bundled Terraform ships beside the action's own code. */
export interface ConfigPaths {
  workspace: string;
  bundledTerraform: string;
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
  'poll-interval-seconds': '10',
  'smoke-path': '/health/',
  'smoke-check': 'true',
  'stress-duration-seconds': '600',
  'stress-workers-per-vcpu': '1',
  'scale-test-timeout-minutes': '20',
  'wait-for-scale-in': 'false',
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

/**
 * Reads inputs with validation helpers that record a problem and return a placeholder, so one pass
 * finds every mistake instead of stopping at the first.
 */
class InputParser {
  readonly problems: string[] = [];

  constructor(
    readonly read: InputReader,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  raw(name: string): string {
    const value = this.read(name).trim();
    if (value !== '') return value;
    return (INPUT_DEFAULTS as Record<string, string>)[name] ?? '';
  }

  /** False once a problem was recorded for `name`, so checks across inputs skip placeholder values. */
  isValid(...names: string[]): boolean {
    return names.every((name) => !this.problems.some((problem) => problem.startsWith(`${name}: `)));
  }

  problem(name: string, value: string, expected: string): void {
    this.problems.push(`${name}: ${value === '' ? 'missing' : JSON.stringify(value)}; ${expected}.`);
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
    return this.raw(name)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }

  /** `key=value` lines (the value may contain `=`), as Terraform's own -var and -backend-config take them. */
  keyValues(name: string, keyPattern: RegExp, keyMeaning: string): Record<string, string> {
    const pairs: Record<string, string> = {};
    for (const line of this.lines(name)) {
      const equals = line.indexOf('=');
      const key = equals === -1 ? '' : line.slice(0, equals).trim();
      if (!keyPattern.test(key)) {
        this.problem(name, line, `expected key=value lines, the key being ${keyMeaning}`);
      } else if (key in pairs) {
        this.problem(name, line, `${key} is set twice`);
      } else {
        pairs[key] = line.slice(equals + 1).trim();
      }
    }
    return pairs;
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

  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this.problem(name, value, 'expected an http:// or https:// URL');
    return undefined;
  }
}

/** Inputs that name the group directly; `deploy` and `plan` take them from Terraform instead. */
const ROLLOUT_TARGET_INPUTS = ['asg-name', 'target-group-arn', 'launch-template-version'] as const;
/** scale-test may name its group too (a group managed elsewhere); it rolls nothing, so no version. */
const SCALE_TEST_TARGET_INPUTS: readonly string[] = ['asg-name', 'target-group-arn'];

function parseRollout(inputs: InputParser, command: Command): RolloutSettings {
  if (command !== 'rollout') {
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

  const versionInput = inputs.raw('launch-template-version');
  let launchTemplateVersion: number | undefined;
  if (versionInput === '$Latest' || versionInput === '$Default') {
    inputs.problem(
      'launch-template-version',
      versionInput,
      'expected a version number: AWS cannot roll back a refresh to $Latest or $Default (IrreversibleInstanceRefresh); leave empty to use the latest version’s number',
    );
  } else {
    launchTemplateVersion = inputs.optionalInteger('launch-template-version', 1, Number.MAX_SAFE_INTEGER);
  }

  const minHealthyPercentage = inputs.integer('min-healthy-percentage', 0, 100);
  const maxHealthyPercentage = inputs.integer('max-healthy-percentage', 100, 200);
  const healthyRangeValid = inputs.isValid('min-healthy-percentage', 'max-healthy-percentage');
  if (healthyRangeValid && maxHealthyPercentage - minHealthyPercentage > 100) {
    inputs.problem(
      'max-healthy-percentage',
      String(maxHealthyPercentage),
      `AWS allows at most 100 points between min-healthy-percentage (${minHealthyPercentage}) and max-healthy-percentage`,
    );
  }
  if (healthyRangeValid && minHealthyPercentage === 100 && maxHealthyPercentage === 100) {
    inputs.problem(
      'max-healthy-percentage',
      '100',
      'with min-healthy-percentage 100 there is no room to replace an instance; raise it (200 launches replacements first)',
    );
  }

  const checkpointPercentages = inputs.list('checkpoint-percentages').map((item) => {
    const value = Number(item);
    if (!/^\d+$/.test(item) || value < 1 || value > 100) {
      inputs.problem('checkpoint-percentages', item, 'expected whole numbers from 1 to 100');
    }
    return value;
  });
  const ascending = checkpointPercentages.every(
    (value, i) => i === 0 || value > (checkpointPercentages[i - 1] ?? 0),
  );
  if (inputs.isValid('checkpoint-percentages') && !ascending) {
    inputs.problem(
      'checkpoint-percentages',
      checkpointPercentages.join(','),
      'expected strictly ascending values',
    );
  } else if (
    inputs.isValid('checkpoint-percentages') &&
    checkpointPercentages.length > 0 &&
    checkpointPercentages.at(-1) !== 100
  ) {
    inputs.problem(
      'checkpoint-percentages',
      checkpointPercentages.join(','),
      'the last checkpoint must be 100, or the refresh stops before replacing every instance',
    );
  }
  const checkpointDelaySeconds = inputs.optionalInteger('checkpoint-delay-seconds', 0, 172800);
  if (checkpointDelaySeconds !== undefined && checkpointPercentages.length === 0) {
    inputs.problem(
      'checkpoint-delay-seconds',
      String(checkpointDelaySeconds),
      'only applies with checkpoint-percentages; set both or neither',
    );
  }

  const smokePath = inputs.raw('smoke-path');
  if (!smokePath.startsWith('/') || /\s/.test(smokePath)) {
    inputs.problem('smoke-path', smokePath, 'expected a URL path starting with /, e.g. /health/');
  }

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

  return {
    asgName,
    targetGroupArns,
    launchTemplateVersion,
    minHealthyPercentage,
    maxHealthyPercentage,
    instanceWarmupSeconds: inputs.optionalInteger('instance-warmup', 0, 86400),
    skipMatching: inputs.boolean('skip-matching'),
    autoRollback: inputs.boolean('auto-rollback'),
    checkpointPercentages,
    checkpointDelaySeconds,
    onRefreshInProgress: inputs.oneOf('on-refresh-in-progress', IN_PROGRESS_POLICIES),
    onTimeout: inputs.oneOf('on-timeout', TIMEOUT_POLICIES),
    forceRefresh: inputs.boolean('force-refresh'),
    waitTimeoutSeconds: Math.round(waitTimeoutMinutes * 60),
    pollIntervalSeconds,
    smokePath,
    appUrl: inputs.url('app-url'),
    smokeCheck: inputs.boolean('smoke-check'),
    appLogGroup: logGroupName(inputs, 'app-log-group'),
  };
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

function parseImage(inputs: InputParser, command: Command, paths: ConfigPaths): ImageSettings {
  const imageText = inputs.raw('image');
  if ((command === 'rollout' || command === 'scale-test') && imageText !== '') {
    inputs.problem('image', imageText, `${command} deploys no image; deploy an image with command: deploy`);
  }
  const existing =
    imageText === '' ? undefined : imageInput(inputs, 'image', () => parseExistingImage(imageText));
  const username = inputs.raw('dockerhub-username');
  const password = inputs.raw('dockerhub-token');
  if ((username === '') !== (password === '')) {
    const missing = username === '' ? 'dockerhub-username' : 'dockerhub-token';
    inputs.problem(missing, '', 'set both dockerhub-username and dockerhub-token, or neither');
  }
  const credentials = username !== '' && password !== '' ? { username, password } : undefined;
  const building = command === 'deploy' && imageText === '';
  if (!building) {
    return { existing, credentials, build: undefined };
  }

  const repositoryText = inputs.raw('image-repository');
  if (repositoryText === '') {
    inputs.problem(
      'image-repository',
      '',
      'deploy builds an image when image is empty: name the repository to push to, e.g. acme/web',
    );
  }
  const repository =
    repositoryText === ''
      ? undefined
      : imageInput(inputs, 'image-repository', () => parseRepository(repositoryText));
  if (!credentials && username === '' && password === '') {
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
  const buildArgs = imageInput(inputs, 'build-args', () => parseBuildArgs(inputs.lines('build-args'))) ?? {};
  const context = resolve(paths.workspace, inputs.raw('build-context'));
  const dockerfileText = inputs.raw('dockerfile');
  const build =
    repository && credentials
      ? {
          repository,
          credentials,
          context,
          dockerfile: dockerfileText === '' ? undefined : resolve(paths.workspace, dockerfileText),
          revision,
          extraTags,
          buildArgs,
        }
      : undefined;
  return { existing, credentials, build };
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
  const usesTerraform = command !== 'rollout' && !namesGroup;
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
  return {
    workingDirectory: bundled ? paths.bundledTerraform : resolve(paths.workspace, directoryText),
    label: bundled ? 'terraform (bundled)' : directoryText,
    backendConfig,
    variables,
    varFiles: inputs.lines('var-files').map((file) => resolve(paths.workspace, file)),
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
  const inputs = new InputParser(read, env);
  const command = inputs.oneOf('command', COMMANDS);
  const aws: AwsSettings = { region: inputs.region(), endpointUrl: inputs.url('aws-endpoint-url') };
  // Which other inputs apply depends on the command: guessing one would only add noise.
  if (!inputs.isValid('command')) throw new ConfigError(inputs.problems);
  const rollout = parseRollout(inputs, command);
  const image = parseImage(inputs, command, paths);
  const terraform = parseTerraform(inputs, command, paths);
  const github = parseGitHub(inputs, command);
  const scaleTest = parseScaleTest(inputs);
  if (inputs.problems.length > 0) throw new ConfigError(inputs.problems);
  return { command, aws, rollout, image, terraform, github, scaleTest };
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
