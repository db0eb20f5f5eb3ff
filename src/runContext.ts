import { DeployError, errorMessage } from './errors';

/** What the run is about, from the runner's variables and event payload. */
export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** The commit the workflow runs at (for pull_request: GitHub's merge commit). */
  sha: string;
  /** Set on pull_request events: the pull request and the commit its author pushed. */
  pullRequest: { number: number; headSha: string } | undefined;
  /** This run's page: where the full plan and log are. */
  runUrl: string;
}

interface PullRequestPayload {
  pull_request?: { number?: unknown; head?: { sha?: unknown } };
}

/**
 * Reads the run's context. `readEventFile` is injected so this stays testable; it is only called
 * when GITHUB_EVENT_PATH is set (a local run has no event).
 */
export function readRunContext(env: NodeJS.ProcessEnv, readEventFile: (path: string) => string): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  let pullRequest: RunContext['pullRequest'];
  if (env.GITHUB_EVENT_PATH) {
    let payload: PullRequestPayload;
    try {
      payload = JSON.parse(readEventFile(env.GITHUB_EVENT_PATH)) as PullRequestPayload;
    } catch (error) {
      throw new DeployError(
        'event-unreadable',
        `Could not read the event payload at ${env.GITHUB_EVENT_PATH}: ${errorMessage(error)}.`,
        'This file is written by the runner; when running locally, unset GITHUB_EVENT_PATH or point it at a valid event JSON.',
      );
    }
    const { number, head } = payload.pull_request ?? {};
    if (typeof number === 'number' && typeof head?.sha === 'string') {
      pullRequest = { number, headSha: head.sha };
    }
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    pullRequest,
    runUrl:
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : '',
  };
}
