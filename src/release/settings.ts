/**
 * The release phase's inputs: which command migrates, which checks the migrations first, how long
 * each may run, and whether a backward-incompatible migration may go out.
 */

export interface ReleaseSettings {
  /** The migration's argv; empty: no migration step (an app without a database). */
  migrateCommand: string[];
  /** The compatibility check's argv; empty: no check. */
  checkCommand: string[];
  /** Each one-off's budget: its container is stopped after this long. */
  timeoutSeconds: number;
  /** Migrate even when the check calls a migration backward-incompatible (the log warns). */
  allowIncompatible: boolean;
}

/** The parts of the action's input parser this stage reads through. */
export interface ReleaseInputs {
  /** The input trimmed, or its default when not given; empty only when given empty (the step is off). */
  given(name: string): string;
  integer(name: string, min: number, max: number): number;
  boolean(name: string): boolean;
  problem(name: string, value: string, expected: string): void;
}

/** This stage's input defaults; action.yml carries the same (the config's defaults include them). */
export const RELEASE_INPUT_DEFAULTS = {
  'migration-command': 'python manage.py migrate --noinput',
  // --no-cache: the one-off runs on the app's read-only root filesystem, where the linter's cache cannot go.
  'migration-check-command': 'python manage.py lintmigrations --unapplied-migrations --no-cache',
  'migration-timeout-seconds': '600',
  'allow-incompatible-migrations': 'false',
} as const;

export const RELEASE_TIMEOUT_LIMITS = { min: 10, max: 3 * 3600 } as const;

/** Words only: the one-off runs the image's argv as given, with no shell to read quotes or `$`. */
const SHELL_SYNTAX = /["'`$\\|;&<>(){}*?~#]/;

function commandWords(inputs: ReleaseInputs, name: string): string[] {
  const value = inputs.given(name);
  if (SHELL_SYNTAX.test(value)) {
    inputs.problem(
      name,
      value,
      'expected a command and its arguments separated by spaces, without quotes or shell syntax (it runs in the new image without a shell), or empty to turn the step off',
    );
  }
  return value === '' ? [] : value.split(/\s+/);
}

export function parseReleaseSettings(inputs: ReleaseInputs): ReleaseSettings {
  return {
    migrateCommand: commandWords(inputs, 'migration-command'),
    checkCommand: commandWords(inputs, 'migration-check-command'),
    timeoutSeconds: inputs.integer(
      'migration-timeout-seconds',
      RELEASE_TIMEOUT_LIMITS.min,
      RELEASE_TIMEOUT_LIMITS.max,
    ),
    allowIncompatible: inputs.boolean('allow-incompatible-migrations'),
  };
}
