import * as core from '@actions/core';
import { createAwsClients, type AwsClients } from './aws';
import { ConfigError, parseConfig, type AwsSettings, type InputReader } from './config';
import { DeployError, errorMessage, errorName } from './errors';
import { actionsLogger, systemClock, type Clock, type Logger } from './log';
import {
  createActionsReporter,
  failureSummary,
  rolloutOutputs,
  rolloutSummary,
  type Reporter,
} from './report';
import { runRollout } from './rollout';

/** Everything `run` touches outside itself; tests replace any of it. */
export interface RunDependencies {
  readInput: InputReader;
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  createClients: (settings: AwsSettings) => AwsClients;
  reporter: Reporter;
}

function defaultDependencies(): RunDependencies {
  return {
    readInput: (name) => core.getInput(name),
    env: process.env,
    log: actionsLogger,
    clock: systemClock,
    fetch: globalThis.fetch,
    createClients: createAwsClients,
    reporter: createActionsReporter(actionsLogger, process.env),
  };
}

const AWS_AUTH_ERRORS: Record<string, string> = {
  AccessDenied: 'The deploy role lacks a permission: compare its policy with the IAM policy in the README.',
  AccessDeniedException:
    'The deploy role lacks a permission: compare its policy with the IAM policy in the README.',
  UnauthorizedOperation:
    'The deploy role lacks a permission: compare its policy with the IAM policy in the README.',
  CredentialsProviderError:
    'No AWS credentials were found: run aws-actions/configure-aws-credentials before this step (OIDC role).',
  ExpiredToken: 'The AWS session expired: raise role-duration-seconds in configure-aws-credentials.',
  ExpiredTokenException: 'The AWS session expired: raise role-duration-seconds in configure-aws-credentials.',
};

/** Turns any failure into one explained line set: what happened, why, what to do next. */
async function reportFailure(error: unknown, dependencies: RunDependencies): Promise<void> {
  const { log, reporter } = dependencies;
  let reason: string;
  let message: string;
  let nextSteps: string | undefined;
  if (error instanceof ConfigError) {
    reason = 'invalid-input';
    message = error.message;
  } else if (error instanceof DeployError) {
    ({ reason, message, nextSteps } = error);
  } else {
    const name = errorName(error);
    reason = 'aws-error';
    message = `${name}: ${errorMessage(error)}`;
    nextSteps = AWS_AUTH_ERRORS[name];
    if (!nextSteps) {
      reason = 'unexpected-error';
      if (error instanceof Error && error.stack) core.debug(error.stack);
    }
  }
  reporter.setOutput('failure-reason', reason);
  reporter.setFailed(nextSteps ? `${message}\nWhat to do: ${nextSteps}` : message);
  try {
    await reporter.writeSummary(failureSummary(reason, message, nextSteps));
  } catch (summaryError) {
    log.warning(`Could not write the job summary: ${errorMessage(summaryError)}`);
  }
}

/** The action: validates every input first, then runs the stages of the chosen command. */
export async function run(overrides: Partial<RunDependencies> = {}): Promise<void> {
  const dependencies = { ...defaultDependencies(), ...overrides };
  const { log, reporter } = dependencies;
  try {
    const config = parseConfig(dependencies.readInput, dependencies.env);
    const clients = dependencies.createClients(config.aws);
    const result = await runRollout(
      { clients, log, clock: dependencies.clock, fetch: dependencies.fetch },
      config.rollout,
      config.aws.region,
    );
    for (const [name, value] of Object.entries(rolloutOutputs(result))) reporter.setOutput(name, value);
    await reporter.writeSummary(rolloutSummary(result));
  } catch (error) {
    await reportFailure(error, dependencies);
  }
}
