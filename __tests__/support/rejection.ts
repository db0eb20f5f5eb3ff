import { ConfigError, parseConfig, type ConfigPaths } from '../../src/inputs';
import { DeployError } from '../../src/errors';
import { inputsFrom } from './inputs';

/**
 * How the tests assert "bad input is rejected with one clear error": by a stage, as the DeployError
 * it rejects with (`rejection`); by the config, as the problems parseConfig reports, all at once
 * (`configProblems`), or the one problem of an input (`configRejection`).
 */

/** The DeployError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<DeployError> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a DeployError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(DeployError);
  return outcome.error as DeployError;
}

/** Every problem parseConfig reports for these inputs, [] when it accepts them; any other error fails the test. */
export function configProblems(
  values: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  paths?: ConfigPaths,
): string[] {
  try {
    parseConfig(inputsFrom(values), env, paths);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/**
 * The one problem parseConfig reports when `input` is the only bad one: fails the test unless there
 * is exactly one and it starts with `<input>: ` (the name first, then what was wrong and what is
 * accepted). Returns it for the test to check the rest.
 */
export function configRejection(
  values: Record<string, string>,
  input: string,
  env: NodeJS.ProcessEnv = {},
  paths?: ConfigPaths,
): string {
  const problems = configProblems(values, env, paths);
  expect(problems).toHaveLength(1);
  expect(problems[0]!.startsWith(`${input}: `) ? input : problems[0]).toBe(input);
  return problems[0]!;
}
