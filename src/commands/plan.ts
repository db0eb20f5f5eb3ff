/** `plan`: what a merge would change, on the pull request for reviewers; nothing is built or applied. */

import { renderPlanComment, upsertPlanComment } from '../comment';
import { DeployError } from '../errors';
import { resolveImage } from '../image';
import type { PlanConfig } from '../inputs';
import { planOutputs, planSummary } from '../report';
import { readDeployedImage, type TerraformPlan } from '../terraform';
import { imageDependencies, octokit, setOutputs, type Session } from './session';
import { guardDestroys, planWithImage } from './terraformSteps';

async function commentPlan(
  session: Session<PlanConfig>,
  token: string,
  plan: TerraformPlan,
  image: string,
  imageTags: readonly string[],
): Promise<void> {
  const { context, config, dependencies } = session;
  const pullRequest = context.pullRequest;
  if (!pullRequest) {
    throw new DeployError(
      'no-pull-request',
      `The ${context.eventName} event payload names no pull request, so there is nowhere to comment the plan.`,
      'Run plan on pull_request events, or set comment-on-pr: false.',
    );
  }
  const body = renderPlanComment({
    summary: plan.summary,
    planText: plan.planText,
    image,
    imageTags,
    commit: pullRequest.headSha,
    workingDirectory: config.terraform.label,
    runUrl: context.runUrl,
    secrets: config.secrets,
    review: plan.review,
    warnings: plan.warnings,
  });
  const comment = await upsertPlanComment({
    octokit: await octokit(session, token),
    owner: context.owner,
    repo: context.repo,
    issueNumber: pullRequest.number,
    workingDirectory: config.terraform.label,
    body,
    log: dependencies.log,
  });
  dependencies.log.info(
    `Plan comment ${comment.action} on pull request #${pullRequest.number}: ${comment.url}`,
  );
}

export async function planCommand(session: Session<PlanConfig>): Promise<void> {
  const { config, dependencies } = session;
  const { reporter } = dependencies;
  await session.terraform.init({ backendConfig: config.terraform.backendConfig });
  const resolved = config.image.existing
    ? await resolveImage(imageDependencies(session), {
        image: config.image.existing,
        credentials: config.image.credentials,
      })
    : undefined;
  const image = resolved?.reference ?? readDeployedImage(await session.terraform.outputs());
  reporter.setOutput('image', image);
  const plan = await planWithImage(session, image, 'plan');
  setOutputs(reporter, planOutputs(plan.summary));
  // Comment before the guard: reviewers must see a destroying plan, and why the job failed.
  if (config.github.commentOnPr) {
    await commentPlan(session, config.github.token, plan, image, resolved?.tags ?? []);
  }
  await reporter.writeSummary(planSummary(plan.summary, image, config.terraform.label));
  guardDestroys(session, plan);
}
