/** The GitHub inputs: the plan comment, the approved-plan check and the token both call GitHub with. */

import type { DeployGitHubSettings, PlanGitHubSettings } from '../comment';
import type { Command } from './commands';
import type { InputParser } from './parser';

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The GitHub inputs as given; `planGitHub` and `deployGitHub` narrow them to what each command may do. */
interface GitHubInputs {
  commentOnPr: boolean;
  token: string | undefined;
  requireApprovedPlan: boolean;
}

export function parseGitHub(inputs: InputParser, command: Command): GitHubInputs {
  const commentOnPr = inputs.boolean('comment-on-pr');
  const requireApprovedPlan = inputs.boolean('require-approved-plan');
  const token = inputs.raw('github-token');
  const event = inputs.env.GITHUB_EVENT_NAME ?? '';
  const commenting = command === 'plan' && commentOnPr;
  if (commenting && !PULL_REQUEST_EVENTS.includes(event)) {
    inputs.problem(
      'comment-on-pr',
      'true',
      `plan comments on a pull request, and this run's event is ${event === '' ? 'not a GitHub event' : event}; run plan on pull_request, or set comment-on-pr: false`,
    );
  }
  if (requireApprovedPlan && command !== 'deploy') {
    inputs.problem('require-approved-plan', 'true', `only applies to command: deploy, not ${command}`);
  }
  if ((commenting || (requireApprovedPlan && command === 'deploy')) && token === '') {
    inputs.problem(
      'github-token',
      '',
      `${commenting ? 'commenting the plan' : 'checking the approved plan'} calls the GitHub API: pass github-token: \${{ github.token }}`,
    );
  }
  return { commentOnPr, token: token === '' ? undefined : token, requireApprovedPlan };
}

/** Undefined when plan would comment without a token: parseGitHub recorded that problem. */
export function planGitHub({ commentOnPr, token }: GitHubInputs): PlanGitHubSettings | undefined {
  if (!commentOnPr) return { commentOnPr, token, requireApprovedPlan: false };
  return token === undefined ? undefined : { commentOnPr, token, requireApprovedPlan: false };
}

/** Undefined when deploy would check the approval without a token: parseGitHub recorded that problem. */
export function deployGitHub({
  commentOnPr,
  token,
  requireApprovedPlan,
}: GitHubInputs): DeployGitHubSettings | undefined {
  if (!requireApprovedPlan) return { commentOnPr, token, requireApprovedPlan };
  return token === undefined ? undefined : { commentOnPr, token, requireApprovedPlan };
}
