import * as core from '@actions/core';
import { rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AwsClients, AwsSettings } from './aws';
import type { GitHubClient } from './comment';
import { deployCommand } from './commands/deploy';
import { reportFailure } from './commands/failure';
import { planCommand } from './commands/plan';
import { preflightCommand } from './commands/preflight';
import { rolloutCommand } from './commands/rollout';
import { scaleTestCommand } from './commands/scaleTest';
import { openSession, type Session } from './commands/session';
import { runCommand, type CommandRunner } from './exec';
import { parseConfig, type Command, type Config, type ConfigPaths, type InputReader } from './inputs';
import { actionsLogger, type Logger } from './log';
import { secretMasker } from './mask';
import { systemClock, type Clock } from './clock';
import { createActionsReporter, type Reporter } from './report';

/** Everything `run` touches outside itself; tests replace any of it. */
export interface RunDependencies {
  readInput: InputReader;
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  /** Async: the AWS SDK loads only for the commands that call AWS (see `loadAwsClients`). */
  createClients: (settings: AwsSettings) => Promise<AwsClients>;
  reporter: Reporter;
  /** Runs terraform and docker. */
  runCommand: CommandRunner;
  maskSecret: (value: string) => void;
  /** Async: Octokit loads only when a command talks to GitHub. */
  createOctokit: (token: string) => Promise<GitHubClient>;
  readFile: (path: string) => string;
  paths: ConfigPaths;
}

/**
 * Each command loads its own stages (dynamic imports, one bundle chunk each): an invalid input or
 * a `plan` never compiles the AWS SDK clients the rollout and the scale test use.
 */
async function loadAwsClients(settings: AwsSettings): Promise<AwsClients> {
  return (await import('./aws')).createAwsClients(settings);
}

function defaultDependencies(): RunDependencies {
  return {
    readInput: (name) => core.getInput(name),
    env: process.env,
    log: actionsLogger,
    clock: systemClock,
    // Reading globalThis.fetch loads Node's HTTP client (undici): deferred to the first request,
    // which a rollout's start never makes (the AWS SDK speaks node:http).
    fetch: (input, init) => globalThis.fetch(input, init),
    createClients: loadAwsClients,
    reporter: createActionsReporter(actionsLogger, process.env),
    runCommand,
    maskSecret: secretMasker(process.env, (value) => {
      core.setSecret(value);
    }),
    createOctokit: async (token) => (await import('@actions/github')).getOctokit(token),
    readFile: (path) => readFileSync(path, 'utf8'),
    paths: {
      workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
      // The bundle runs from dist/, and the stack ships beside it in the action's checkout.
      bundledTerraform: resolve(__dirname, '..', 'terraform'),
    },
  };
}

type ConfigOf<C extends Command> = Extract<Config, { command: C }>;

const COMMAND_HANDLERS: { [C in Command]: (session: Session<ConfigOf<C>>) => Promise<unknown> } = {
  plan: planCommand,
  deploy: deployCommand,
  rollout: rolloutCommand,
  'scale-test': scaleTestCommand,
  preflight: preflightCommand,
};

function dispatch<C extends Command>(command: C, session: Session<ConfigOf<C>>): Promise<unknown> {
  return COMMAND_HANDLERS[command](session);
}

/** The action: validates every input first, then runs the stages of the chosen command. */
export async function run(overrides: Partial<RunDependencies> = {}): Promise<void> {
  const dependencies = { ...defaultDependencies(), ...overrides };
  let workDir: string | undefined;
  try {
    const config = parseConfig(dependencies.readInput, dependencies.env, dependencies.paths);
    for (const secret of config.secrets) dependencies.maskSecret(secret);
    const session = await openSession(config, dependencies);
    workDir = session.workDir;
    await dispatch(config.command, session);
  } catch (error) {
    await reportFailure(error, dependencies);
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}
