/** Turns any failure into one explained line set: what happened, why, what to do next. */

import * as core from '@actions/core';
import { DeployError, errorMessage, errorName } from '../errors';
import type { FailureReason } from '../failures';
import { ConfigError } from '../inputs';
import type { Logger } from '../log';
import type { RolloutTimeline } from '../timeline';
import { failureMessage, failureSummary, type Reporter } from '../report';

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

/** Reports `error` as the run's failure: the message, the failure-reason output and the summary. */
export async function reportFailure(
  error: unknown,
  { log, reporter }: { log: Logger; reporter: Reporter },
): Promise<void> {
  let reason: FailureReason;
  let message: string;
  let nextSteps: string | undefined;
  let releaseLive: boolean | undefined;
  let timeline: RolloutTimeline | undefined;
  if (error instanceof ConfigError) {
    reason = 'invalid-input';
    message = error.message;
  } else if (error instanceof DeployError) {
    ({ reason, message, nextSteps, releaseLive, timeline } = error);
  } else {
    const name = errorName(error);
    reason = 'aws-error';
    message = `${name}: ${errorMessage(error)}`;
    nextSteps = AWS_AUTH_ERRORS[name];
    if (!nextSteps) {
      reason = 'unexpected-error';
      // Only with step debug logging on: a stack trace helps us, and tells a user nothing.
      if (error instanceof Error && error.stack && core.isDebug()) core.debug(error.stack);
    }
  }
  reporter.setFailed(failureMessage(reason, message, nextSteps));
  // After the failure is reported: an unwritable GITHUB_OUTPUT must not hide why the run failed.
  try {
    reporter.setOutput('failure-reason', reason);
    if (error instanceof DeployError) {
      for (const [name, value] of Object.entries(error.outputs)) reporter.setOutput(name, value);
    }
  } catch (outputError) {
    log.warning(`Could not set the failure-reason output: ${errorMessage(outputError)}`);
  }
  try {
    await reporter.writeSummary(failureSummary(reason, message, nextSteps, { releaseLive, timeline }));
  } catch (summaryError) {
    log.warning(`Could not write the job summary: ${errorMessage(summaryError)}`);
  }
}
