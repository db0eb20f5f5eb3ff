import { DeployError } from '../../src/errors';

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
