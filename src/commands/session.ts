/** One run's collaborators, built once the config is known to be valid, and what commands share. */

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitHubClient } from '../comment';
import { consoleLinkLines, consoleLinks, type ConsoleLinks } from '../console';
import type { ImageDependencies } from '../image';
import type { Config } from '../inputs';
import type { RunDependencies } from '../main';
import type { Reporter } from '../report';
import { readRunContext, type RunContext } from '../runContext';
import { createTerraform, type Terraform, type TerraformSettings } from '../terraform';

export interface Session<C extends Config = Config> {
  config: C;
  dependencies: RunDependencies;
  context: RunContext;
  /** The Terraform CLI, for the commands that run Terraform. */
  terraform: C extends { terraform: TerraformSettings } ? Terraform : undefined;
  /** Scratch space for plan files; removed when the run ends. */
  workDir: string;
}

/** Terraform's AWS access follows the action's: same region, same endpoint override. */
function terraformEnvironment(config: Config): Record<string, string> {
  return {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_REGION: config.aws.region,
    ...(config.aws.endpointUrl ? { AWS_ENDPOINT_URL: config.aws.endpointUrl } : {}),
    ...instancePullVariables(config),
  };
}

/**
 * The instances' registry login, as TF_VAR_ environment: not -var, which would put the token on
 * the command line; the variable is ephemeral, so no plan or state keeps it. Configurations that
 * do not declare these variables ignore them.
 */
function instancePullVariables(config: Config): Record<string, string> {
  const pull = 'image' in config ? config.image.instancePull : undefined;
  if (!pull) return {};
  return { TF_VAR_registry_username: pull.username, TF_VAR_registry_pull_token: pull.password };
}

/** The run context, a scratch directory and the Terraform CLI for a validated config. */
export async function openSession(config: Config, dependencies: RunDependencies): Promise<Session> {
  const context = readRunContext(dependencies.env, dependencies.readFile);
  const workDir = await mkdtemp(join(dependencies.env.RUNNER_TEMP || tmpdir(), 'ha-django-deploy-'));
  const terraform = 'terraform' in config ? terraformFor(config, dependencies) : undefined;
  return { config, dependencies, context, terraform, workDir };
}

function terraformFor(
  config: Config & { terraform: TerraformSettings },
  dependencies: RunDependencies,
): Terraform {
  return createTerraform(
    {
      run: dependencies.runCommand,
      log: dependencies.log,
      clock: dependencies.clock,
      env: terraformEnvironment(config),
    },
    {
      workingDirectory: config.terraform.workingDirectory,
      lockTimeout: config.terraform.lockTimeout,
      // plan is never applied: it takes no lock, so the plan role can stay read-only.
      lock: config.command !== 'plan',
    },
  );
}

export function setOutputs(reporter: Reporter, outputs: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(outputs)) reporter.setOutput(name, value);
}

export function imageDependencies({ dependencies }: Session): ImageDependencies {
  const { runCommand: run, log, fetch, clock, env, maskSecret } = dependencies;
  return { run, log, fetch, clock, env, maskSecret };
}

/** Octokit, loaded on first use: only a command that talks to GitHub compiles it. */
export function octokit(session: Session, token: string): Promise<GitHubClient> {
  return session.dependencies.createOctokit(token);
}

/** Before the rollout or the load, so a failed one leaves them in the log too. */
export function logConsoleLinks(
  { config, dependencies }: Session,
  asgName: string,
  targetGroupArns: string[],
): ConsoleLinks {
  const links = consoleLinks(config.aws.region, asgName, targetGroupArns);
  for (const line of consoleLinkLines(links)) dependencies.log.info(line);
  return links;
}
