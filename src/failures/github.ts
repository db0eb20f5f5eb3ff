import type { FailureDescription } from './description';

/** Pull requests and GitHub (plan, deploy). */
export const GITHUB_FAILURES = {
  'no-approved-plan': {
    meaning:
      '`require-approved-plan`: the commit has no merged pull request with a plan comment, or that comment was last written after the merge',
    whatToDo:
      'Deploy through a pull request, or review the plan in the log and re-run with `require-approved-plan: false` (a manual rollback).',
    showsAppLog: false,
  },
  'plan-changed': {
    meaning:
      '`require-approved-plan`: the saved plan this deploy would apply differs from the one on the merged pull request in more than the image',
    whatToDo: 'Open a pull request so reviewers see this plan, then deploy its merge.',
    showsAppLog: false,
  },
  'no-pull-request': {
    meaning: '`plan` with `comment-on-pr` on an event that names no pull request',
    whatToDo: 'Run plan on `pull_request` events, or set `comment-on-pr: false`.',
    showsAppLog: false,
  },
  'comment-too-long': {
    meaning: "the plan comment exceeds GitHub's length limit even with the plan text and tables cut",
    whatToDo: 'Shorten the working directory label and the image reference, or set `comment-on-pr: false`.',
    showsAppLog: false,
  },
  'github-unreachable': {
    meaning: 'the GitHub API could not be reached',
    whatToDo: 'Re-run the job; on GitHub Enterprise Server, check that `GITHUB_API_URL` points at its API.',
    showsAppLog: false,
  },
  'github-rate-limited': {
    meaning: 'GitHub is rate limiting `github-token`',
    whatToDo: 'Re-run the job in a few minutes.',
    showsAppLog: false,
  },
  'github-forbidden': {
    meaning: 'GitHub answered 401 or 403: `github-token` lacks a permission the call needs',
    whatToDo:
      "Grant the job's token the permission the message names (the workflow's permissions block), then re-run.",
    showsAppLog: false,
  },
  'github-not-found': {
    meaning: 'GitHub answered 404 for the repository or the pull request',
    whatToDo:
      'Check that `github-token` belongs to this repository (or has access to it) and that the pull request exists.',
    showsAppLog: false,
  },
  'github-error': {
    meaning: 'GitHub answered another error',
    whatToDo: 'Re-run the job; if it keeps failing, check https://www.githubstatus.com.',
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
