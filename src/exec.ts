import { getExecOutput } from '@actions/exec';

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
}

/** Runs external tools (terraform, docker); injected so tests can record or replace them. */
export type CommandRunner = (
  command: string,
  args: string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

/**
 * Runs the command through @actions/exec, which streams its output into the job log as it runs,
 * and returns the exit code instead of throwing, so each stage can explain a failure itself.
 */
export const runCommand: CommandRunner = async (command, args, options = {}) => {
  const env = options.env ? { ...(process.env as Record<string, string>), ...options.env } : undefined;
  return getExecOutput(command, args, {
    ignoreReturnCode: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(env ? { env } : {}),
    ...(options.input === undefined ? {} : { input: Buffer.from(options.input) }),
    silent: options.silent ?? false,
  });
};
