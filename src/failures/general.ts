import type { FailureDescription } from './description';

/** Any command. */
export const GENERAL_FAILURES = {
  'invalid-input': {
    meaning:
      'one or more inputs are invalid (or the image names neither a tag nor a digest); all are listed, nothing was built, planned or changed',
    whatToDo: "Fix the inputs named in the message; the README's Inputs table says what each accepts.",
    showsAppLog: false,
  },
  'event-unreadable': {
    meaning: "the runner's event payload (`GITHUB_EVENT_PATH`) could not be read",
    whatToDo:
      'On a runner, re-run the job; when running locally, unset `GITHUB_EVENT_PATH` or point it at a valid event JSON.',
    showsAppLog: false,
  },
  'aws-error': {
    meaning: 'AWS refused a call (a missing permission), or found no or expired credentials',
    whatToDo:
      "Compare the role's policy with `docs/iam-deploy-policy.json` (`docs/iam-plan-policy.json` for plan); configure credentials with aws-actions/configure-aws-credentials before this step.",
    showsAppLog: false,
  },
  'unexpected-error': {
    meaning: 'an error the action has no explanation for; the message quotes it',
    whatToDo:
      'Re-run the job; if it fails the same way, re-run it with step debug logging (the stack trace is printed then) and report the issue with that log.',
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
