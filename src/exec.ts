import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { createInertWriter } from './log';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to the command's stdin (how secrets reach `docker login`, never through argv). */
  input?: string;
  /** Keep the command's own output out of the log (it is still returned). */
  silent?: boolean;
  /**
   * The command line as the log shows it, when the real one carries values that must not be
   * printed (secrets, or values that may be); defaults to the real one.
   */
  displayArgs?: string[];
  /**
   * Hand the child the runner's cache service variables: only for the build that reads and
   * writes GitHub's cache (buildx takes the token from its environment).
   */
  runnerCache?: boolean;
}

/** Runs external tools (terraform, docker); injected so tests can record or replace them. */
export type CommandRunner = (
  command: string,
  args: string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

/**
 * Variables no child process gets. The runner hands every `with:` value to the action as INPUT_*,
 * tokens included; terraform and docker need none of them, and a tool (or a `var-files` pointing at
 * /proc/self/environ) could print its environment. The OIDC request token is the action's too.
 */
const WITHHELD_VARIABLE = /^(INPUT_|ACTIONS_ID_TOKEN_REQUEST_)/i;

/**
 * The runner's cache and results service: its token can write any cache entry of the repository,
 * which later runs (main's deploys included) restore. Terraform never needs it, and on a pull
 * request it runs the pull request's own configuration (providers, external programs).
 */
const RUNNER_CACHE_VARIABLE = /^ACTIONS_(RUNTIME_TOKEN|RUNTIME_URL|CACHE_URL|RESULTS_URL|CACHE_SERVICE_V2)$/i;

/**
 * The environment for a child: the action's own minus what is withheld (the runner's cache
 * service too, unless `runnerCache`), plus the command's.
 */
export function childEnvironment(
  parent: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
  runnerCache = false,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    const withheld = WITHHELD_VARIABLE.test(name) || (!runnerCache && RUNNER_CACHE_VARIABLE.test(name));
    if (value !== undefined && !withheld) env[name] = value;
  }
  return { ...env, ...extra };
}

/** How a command line is echoed: arguments with spaces or quotes are quoted. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./*-]+$/.test(arg) ? arg : JSON.stringify(arg));
  return [command, ...args].map(quote).join(' ');
}

const writeToLog = (text: string): void => {
  process.stdout.write(text);
};

/**
 * Runs the command and returns its exit code instead of throwing, so each stage can explain a
 * failure itself. The echoed command line is the display form, the child environment never holds
 * the action's inputs, and the tool's output (stdout and stderr, in order) streams into the log
 * inside a stop-commands block.
 */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnvironment(process.env, options.env, options.runnerCache),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const log = options.silent ? undefined : createInertWriter(writeToLog);
    log?.write(`[command]${formatCommandLine(command, options.displayArgs ?? args)}\n`);
    const collected = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      child[stream].on('data', (chunk: Buffer) => {
        const text = decoder.write(chunk);
        collected[stream] += text;
        log?.write(text);
      });
      child[stream].on('end', () => {
        const rest = decoder.end();
        collected[stream] += rest;
        log?.write(rest);
      });
    }
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      log?.end();
      finish();
    };
    // A command that cannot start (not installed) emits 'error', and may emit 'close' after it.
    child.on('error', (error) => {
      settle(() => {
        reject(error);
      });
    });
    child.on('close', (code, signal) => {
      settle(() => {
        resolve({ exitCode: code ?? (signal ? 128 : 1), ...collected });
      });
    });
    child.stdin.on('error', () => {
      // A command that exits without reading its stdin: its exit code tells what happened.
    });
    child.stdin.end(options.input === undefined ? undefined : Buffer.from(options.input));
  });
