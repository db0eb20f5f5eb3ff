import { DeployError, errorMessage } from '../errors';
import type { FailureReason } from '../failures';
import type { CommandOptions, CommandResult, CommandRunner } from '../exec';
import { formatDuration, type Logger } from '../log';
import type { Clock } from '../clock';
import { isSensitiveBackendKey } from './backend';
import type { TerraformOutputs } from './outputs';
import { reviewPlan, type PlanReview } from './review';
import { describeCounts, summarizePlan } from './summary';
import type { PlanSummary } from './types';

export interface TerraformDependencies {
  run: CommandRunner;
  log: Logger;
  clock: Clock;
  /** Added to the process environment of every terraform command. */
  env: Record<string, string>;
  binary?: string;
}

export interface TerraformOptions {
  workingDirectory: string;
  /** Terraform duration: how long to wait for a state lock another run holds. */
  lockTimeout: string;
  /**
   * False for a plan that is never applied (`command: plan` on a pull request): it runs with
   * -lock=false, so the read-only plan role needs no write access to the lock object and a pull
   * request cannot hold the lock against a deploy. Its plan may read a state an apply is writing;
   * it is for review only, and a deploy re-plans under the lock.
   */
  lock?: boolean;
}

export interface PlanRequest {
  /**
   * The user's variables: passed as TF_VAR_<name> environment variables, so no value is in argv
   * or the echoed command line. Terraform ranks them below tfvars files.
   */
  variables: Record<string, string>;
  varFiles: string[];
  /** Values that are not secret and must win over every var file (`image`): `-var` after them. */
  overrides: Record<string, string>;
  planFile: string;
}

/** `-backend-config=key=value`, with the values of credential keys shown as *** in the log. */
export function backendConfigArgs(backendConfig: Record<string, string>): {
  args: string[];
  display: string[];
} {
  const entries = Object.entries(backendConfig);
  return {
    args: entries.map(([key, value]) => `-backend-config=${key}=${value}`),
    display: entries.map(
      ([key, value]) => `-backend-config=${key}=${isSensitiveBackendKey(key) ? '***' : value}`,
    ),
  };
}

export function variableEnvironment(variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [`TF_VAR_${name}`, value]));
}

export interface TerraformPlan {
  summary: PlanSummary;
  /** `terraform show` of the saved plan: what the PR comment shows; sensitive values already hidden. */
  planText: string;
  /** The saved plan: `apply` applies exactly this. */
  planFile: string;
  /** Sensitive values to scrub, decoded boot scripts and templates, the image before and after. */
  review: PlanReview;
  /** Terraform's warnings during the plan (failed check blocks, deprecations), one text each. */
  warnings: string[];
}

export interface Terraform {
  init(request: { backendConfig: Record<string, string> }): Promise<void>;
  plan(request: PlanRequest): Promise<TerraformPlan>;
  apply(planFile: string): Promise<void>;
  outputs(): Promise<TerraformOutputs>;
}

/** At most this many lines of Terraform's error in the failure message; the log has all of it. */
const ERROR_LINES = 40;

/**
 * Terraform's diagnostics, without the box drawing `-no-color` still prints: from the first
 * `Error:` on, so warnings before it don't bury the cause.
 */
export function terraformError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^[│╷╵]\s?/, '').trimEnd())
    .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''));
  const first = lines.findIndex((line) => line.startsWith('Error:'));
  const relevant = first === -1 ? lines : lines.slice(first);
  const shown = relevant.slice(0, ERROR_LINES);
  if (relevant.length > shown.length)
    shown.push(`... ${relevant.length - shown.length} more lines in the log above`);
  return shown.join('\n').trim() || '(terraform printed no error text)';
}

/** At most this many lines of one warning; Terraform's own are a dozen at most. */
const WARNING_LINES = 20;

/**
 * Terraform's warnings from `plan -no-color` output (stdout carries warnings, stderr errors), each
 * from its `Warning:` line to the next diagnostic or the plan's closing rule, box drawing dropped.
 */
export function terraformWarnings(output: string): string[] {
  const warnings: string[] = [];
  let current: string[] | undefined;
  const close = (): void => {
    if (current) warnings.push(current.join('\n').trim());
    current = undefined;
  };
  for (const raw of output.split('\n')) {
    const line = raw.replace(/^[│╷╵]\s?/, '').trimEnd();
    if (/^(Warning|Error): /.test(line) || /^[─━]{10,}/.test(line)) close();
    if (line.startsWith('Warning: ')) current = [];
    if (current && current.length < WARNING_LINES && !(line === '' && current.at(-1) === ''))
      current.push(line);
  }
  close();
  return [...new Set(warnings)];
}

/** The lock details Terraform prints when another run holds the state. */
export function parseLockInfo(stderr: string): {
  id: string | undefined;
  who: string | undefined;
  created: string | undefined;
} {
  const field = (name: string): string | undefined =>
    new RegExp(`^[│\\s]*${name}:\\s*(.+)$`, 'm').exec(stderr)?.[1]?.trim();
  return { id: field('ID'), who: field('Who'), created: field('Created') };
}

function stateLocked(stderr: string, lockTimeout: string): DeployError {
  const lock = parseLockInfo(stderr);
  const holder = [lock.who && `held by ${lock.who}`, lock.created && `since ${lock.created}`]
    .filter(Boolean)
    .join(' ');
  return new DeployError(
    'state-locked',
    `The Terraform state is locked${holder ? ` (${holder})` : ''}${lock.id ? `, lock ID ${lock.id}` : ''}; waited ${lockTimeout} (lock-timeout) and gave up.`,
    'Another plan or deploy of this state is running: let it finish (a workflow concurrency group per environment queues them). ' +
      `Only if no run holds it (a crashed job), release it with terraform force-unlock ${lock.id ?? '<ID>'} in this working directory.`,
  );
}

/** One working directory's terraform, as every step runs it. */
interface TerraformCli {
  dependencies: TerraformDependencies;
  options: TerraformOptions;
  binary: string;
}

/** Runs a terraform subcommand in the working directory; a missing binary is explained. */
async function terraform(
  cli: TerraformCli,
  args: string[],
  commandOptions: CommandOptions = {},
): Promise<CommandResult> {
  const { dependencies, options, binary } = cli;
  try {
    return await dependencies.run(binary, args, {
      cwd: options.workingDirectory,
      env: dependencies.env,
      ...commandOptions,
    });
  } catch (error) {
    throw new DeployError(
      'terraform-unavailable',
      `Could not run ${binary} ${args[0] ?? ''} in ${options.workingDirectory}: ${errorMessage(error)}.`,
      'Install Terraform before this step (hashicorp/setup-terraform with terraform_wrapper: false) and check working-directory exists.',
    );
  }
}

/** A failed step, explained: a held state lock by its holder, anything else by Terraform's error. */
function failure(
  cli: TerraformCli,
  reason: FailureReason,
  step: string,
  result: CommandResult,
  nextSteps: string,
): DeployError {
  if (result.stderr.includes('Error acquiring the state lock'))
    return stateLocked(result.stderr, cli.options.lockTimeout);
  return new DeployError(
    reason,
    `terraform ${step} failed (exit ${result.exitCode}):\n${terraformError(result.stderr)}`,
    nextSteps,
  );
}

/** JSON a terraform command printed; the setup-terraform wrapper is what usually spoils it. */
function parseTerraformJson(text: string, command: string, reason: FailureReason): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DeployError(
      reason,
      `terraform ${command} printed no JSON: ${errorMessage(error)}.`,
      'Disable the setup-terraform wrapper (terraform_wrapper: false): it mixes its own text into the output.',
    );
  }
}

/** Runs one step inside its log group and logs how it ended and how long it took. */
async function step<T>(
  { dependencies }: TerraformCli,
  group: string,
  name: string,
  body: () => Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  const { log, clock } = dependencies;
  return log.group(group, async () => {
    const started = clock.now();
    const result = await body();
    log.info(`terraform ${name}: ${describe(result)} (${formatDuration(clock.now() - started)})`);
    return result;
  });
}

async function init(cli: TerraformCli, backendConfig: Record<string, string>): Promise<void> {
  const backend = backendConfigArgs(backendConfig);
  // -reconfigure: the runner's checkout has no earlier init whose backend settings could be migrated.
  const initArgs = ['init', '-input=false', '-no-color', '-reconfigure'];
  const result = await terraform(cli, [...initArgs, ...backend.args], {
    displayArgs: [...initArgs, ...backend.display],
  });
  if (result.exitCode !== 0) {
    throw failure(
      cli,
      'terraform-init-failed',
      'init',
      result,
      'Check backend-config (bucket, key, region) and that the role may read the state bucket; provider downloads need registry.terraform.io.',
    );
  }
}

/** `terraform plan -out`, exit 0 (no changes) or 2 (changes); an error is thrown. */
async function savePlan(cli: TerraformCli, request: PlanRequest): Promise<CommandResult> {
  const { variables, varFiles, overrides, planFile } = request;
  const locking = cli.options.lock === false ? '-lock=false' : `-lock-timeout=${cli.options.lockTimeout}`;
  const result = await terraform(
    cli,
    [
      'plan',
      '-input=false',
      '-no-color',
      locking,
      '-detailed-exitcode',
      `-out=${planFile}`,
      ...varFiles.map((file) => `-var-file=${file}`),
      ...Object.entries(overrides).flatMap(([name, value]) => ['-var', `${name}=${value}`]),
    ],
    { env: { ...cli.dependencies.env, ...variableEnvironment(variables) } },
  );
  // -detailed-exitcode: 0 no changes, 2 changes (imports and moves included), 1 error.
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    throw failure(
      cli,
      'terraform-plan-failed',
      'plan',
      result,
      'Fix the configuration or variables the error names; nothing was changed.',
    );
  }
  return result;
}

/** `terraform show` of the saved plan: as JSON for the summary, or as text for reviewers. */
async function showPlan(cli: TerraformCli, planFile: string, format: 'json' | 'text'): Promise<string> {
  const args = format === 'json' ? ['show', '-json', '-no-color', planFile] : ['show', '-no-color', planFile];
  const result = await terraform(cli, args, { silent: true });
  if (result.exitCode !== 0) {
    const shown = format === 'json' ? 'show -json' : 'show';
    throw failure(cli, 'terraform-plan-failed', shown, result, 'Re-run; report it if it persists.');
  }
  return result.stdout;
}

async function plan(cli: TerraformCli, request: PlanRequest): Promise<TerraformPlan> {
  const { planFile } = request;
  const result = await savePlan(cli, request);
  const parsed = parseTerraformJson(
    await showPlan(cli, planFile, 'json'),
    'show -json',
    'terraform-plan-unreadable',
  );
  const summary = summarizePlan(parsed);
  if ((result.exitCode === 2) !== summary.hasChanges) {
    cli.dependencies.log.warning(
      `terraform plan exit code ${result.exitCode} and the plan JSON disagree about changes; going by the JSON (${describeCounts(summary)}).`,
    );
  }
  return {
    summary,
    planText: await showPlan(cli, planFile, 'text'),
    planFile,
    review: reviewPlan(parsed),
    warnings: terraformWarnings(`${result.stdout}\n${result.stderr}`),
  };
}

async function apply(cli: TerraformCli, planFile: string): Promise<void> {
  const lockTimeout = `-lock-timeout=${cli.options.lockTimeout}`;
  const result = await terraform(cli, ['apply', '-input=false', '-no-color', lockTimeout, planFile]);
  if (result.exitCode === 0) return;
  if (/Saved plan is stale/i.test(result.stderr)) {
    throw new DeployError(
      'plan-stale',
      `The state changed after this run planned, so Terraform refused the saved plan:\n${terraformError(result.stderr)}`,
      'Another run applied in between; re-run this deploy so it plans against the current state.',
    );
  }
  throw failure(
    cli,
    'terraform-apply-failed',
    'apply',
    result,
    'Read the error above; resources applied before it are in the state. Fix the cause and deploy again (the next plan shows what is left).',
  );
}

async function outputs(cli: TerraformCli): Promise<TerraformOutputs> {
  const result = await terraform(cli, ['output', '-json', '-no-color'], { silent: true });
  if (result.exitCode !== 0) {
    throw failure(
      cli,
      'terraform-output-failed',
      'output',
      result,
      'Re-run; check the role may read the state.',
    );
  }
  return parseTerraformJson(
    result.stdout || '{}',
    'output -json',
    'terraform-output-failed',
  ) as TerraformOutputs;
}

export function createTerraform(dependencies: TerraformDependencies, options: TerraformOptions): Terraform {
  const cli: TerraformCli = { dependencies, options, binary: dependencies.binary ?? 'terraform' };
  const directory = options.workingDirectory;
  return {
    init: ({ backendConfig }) =>
      step(
        cli,
        `Terraform: init ${directory}`,
        'init',
        () => init(cli, backendConfig),
        () => 'ready',
      ),
    plan: (request) =>
      step(
        cli,
        `Terraform: plan ${directory}`,
        'plan',
        () => plan(cli, request),
        (saved) => `${describeCounts(saved.summary)}, fingerprint ${saved.summary.fingerprint.slice(0, 19)}`,
      ),
    apply: (planFile) =>
      step(
        cli,
        'Terraform: apply the saved plan',
        'apply',
        () => apply(cli, planFile),
        () => 'applied',
      ),
    outputs: () => outputs(cli),
  };
}
