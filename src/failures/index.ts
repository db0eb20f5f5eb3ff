/**
 * Every `failure-reason` the action can set: the output is a public contract (scripts branch on
 * it), so each code is declared once, in this folder's file for its area, with what it means, what
 * to do about it, and whether the failing instances' app log follows it in the log. `DeployError` and every other producer of a
 * reason take only these keys; the README's failure table and the output's description in
 * action.yml are generated from this object (`npm run docs`).
 */

import { GENERAL_FAILURES } from './general';
import { IMAGE_FAILURES } from './image';
import { TERRAFORM_FAILURES } from './terraform';
import { GITHUB_FAILURES } from './github';
import { ROLLOUT_FAILURES } from './rollout';
import { SMOKE_FAILURES } from './smoke';
import { RELEASE_FAILURES } from './release';
import { SCALE_TEST_FAILURES } from './scale';
import { PREFLIGHT_FAILURES } from './preflight';
import { ALARM_FAILURES } from './alarms';

import type { FailureDescription } from './description';

export type { FailureDescription };

export const FAILURES = {
  ...GENERAL_FAILURES,
  ...IMAGE_FAILURES,
  ...PREFLIGHT_FAILURES,
  ...TERRAFORM_FAILURES,
  ...GITHUB_FAILURES,
  ...ROLLOUT_FAILURES,
  ...SMOKE_FAILURES,
  ...RELEASE_FAILURES,
  ...SCALE_TEST_FAILURES,
  ...ALARM_FAILURES,
} as const satisfies Record<string, FailureDescription>;

/** A stable `failure-reason` code: only what the catalogue declares. */
export type FailureReason = keyof typeof FAILURES;

export const FAILURE_REASONS = Object.keys(FAILURES) as FailureReason[];

/** Whether a failure with this reason is followed by the failing instances' last app log lines. */
export function showsAppLog(reason: FailureReason): boolean {
  return FAILURES[reason].showsAppLog;
}

/** The next step to print: the error's own when it names one, else the catalogue's. */
export function nextStepsFor(reason: FailureReason, ownNextSteps: string | undefined): string {
  return ownNextSteps?.trim() ? ownNextSteps : FAILURES[reason].whatToDo;
}
