/** `deploy`: approval -> image -> plan -> apply that saved plan -> roll the group -> wait for healthy targets. */

import {
  comparePlans,
  createRedactor,
  findApprovedPlan,
  recordApplyOutcomeSafely,
  type ApprovedPlan,
} from '../comment';
import { DeployError, errorMessage } from '../errors';
import { buildAndPush, type ImageResult } from '../image';
import type { DeployConfig } from '../inputs';
import { deploySummary, imageOutputs, planOutputs, rolloutOutputs, terraformOutputs } from '../report';
import { describeCounts, readStackOutputs, type TerraformPlan } from '../terraform';
import { migrate } from './migrate';
import { preflightCheck, resolveAndCheck } from './preflight';
import { rollOut } from './roll';
import { imageDependencies, logConsoleLinks, octokit, setOutputs, type Session } from './session';
import { guardDestroys, planWithImage } from './terraformSteps';

/**
 * The image to deploy: the one given, pinned to its digest, or the one built and pushed now; either
 * way checked by the preflight first, unless `preflight: false`.
 */
async function provideImage(session: Session<DeployConfig>): Promise<ImageResult> {
  const { image, preflight, rollout } = session.config;
  const paths = { healthPath: rollout.smokePath, pagePath: rollout.smokeAppPath };
  const checkFor = (expectedCommit: string | undefined) =>
    preflight ? preflightCheck(session.dependencies, paths, expectedCommit) : undefined;
  if (image.existing) return resolveAndCheck(session, image.existing, image.credentials, checkFor);
  return buildAndPush(imageDependencies(session), image.build, checkFor(image.build.revision));
}

/**
 * With require-approved-plan, before anything is built, pushed, planned or changed: the merged
 * pull request this commit came from and the plan reviewers saw on it. Only reads GitHub, so an
 * unapproved commit (or a token that may not read pull requests) stops with nothing done.
 */
async function findApproval(session: Session<DeployConfig>, token: string): Promise<ApprovedPlan> {
  const { context, config, dependencies } = session;
  return findApprovedPlan({
    octokit: await octokit(session, token),
    owner: context.owner,
    repo: context.repo,
    commitSha: context.sha,
    workingDirectory: config.terraform.label,
    log: dependencies.log,
  });
}

/**
 * Before apply: the saved plan that apply runs must be the one reviewers saw, except for the image
 * (comparePlans). Apply refuses a saved plan whose state changed since, so what was compared is
 * what is applied.
 */
function requireApprovedPlan(
  session: Session<DeployConfig>,
  approved: ApprovedPlan,
  plan: TerraformPlan,
  image: string,
): void {
  const difference = comparePlans(approved, { summary: plan.summary, image });
  if (difference) throw difference;
  session.dependencies.log.info(
    `The plan matches the one approved on pull request #${approved.pullRequest.number} (fingerprint ${approved.fingerprint.slice(0, 12)}).`,
  );
}

/** How far a deploy got, for the outcome recorded on its pull request. */
interface DeployProgress {
  plan?: TerraformPlan;
  applied: boolean;
}

/** `deploy`: approval -> image -> plan -> apply that saved plan -> roll the group -> wait for healthy targets. */
export async function deployCommand(session: Session<DeployConfig>): Promise<void> {
  const progress: DeployProgress = { applied: false };
  try {
    await deploySteps(session, progress);
  } catch (error) {
    await recordOutcome(session, progress, error);
    throw error;
  }
  await recordOutcome(session, progress, undefined);
}

async function deploySteps(session: Session<DeployConfig>, progress: DeployProgress): Promise<void> {
  const { config, dependencies } = session;
  const { reporter, log } = dependencies;
  const approved = config.github.requireApprovedPlan
    ? await findApproval(session, config.github.token)
    : undefined;
  const image = await provideImage(session);
  setOutputs(reporter, imageOutputs(image));
  await session.terraform.init({ backendConfig: config.terraform.backendConfig });
  const plan = await planWithImage(session, image.reference, 'deploy');
  progress.plan = plan;
  setOutputs(reporter, planOutputs(plan.summary));
  if (approved) requireApprovedPlan(session, approved, plan, image.reference);
  guardDestroys(session, plan);
  // Imports, moves and forgets are changes too: only applying the saved plan records them in the state.
  if (plan.summary.hasChanges) {
    await session.terraform.apply(plan.planFile);
    progress.applied = true;
  } else {
    log.info('Terraform: no changes to apply.');
  }
  const stack = readStackOutputs(await session.terraform.outputs());
  setOutputs(reporter, terraformOutputs(stack));
  const links = logConsoleLinks(session, stack.asgName, [stack.targetGroupArn]);
  await migrate(session, stack, image);
  const rollout = await rollOut(session, {
    ...config.rollout,
    asgName: stack.asgName,
    targetGroupArns: [stack.targetGroupArn],
    launchTemplateVersion: stack.launchTemplateVersion,
    appUrl: config.rollout.appUrl ?? stack.appUrl,
    expectedCommit: image.revision,
    appLogGroup: config.rollout.appLogGroup ?? stack.appLogGroup,
    rollbackAlarms: config.rollout.rollbackAlarms ?? stack.releaseAlarmNames,
  });
  setOutputs(reporter, rolloutOutputs(rollout));
  await reporter.writeSummary(
    deploySummary({
      image,
      plan: plan.summary,
      rollout,
      label: config.terraform.label,
      release: { review: plan.review, secrets: config.secrets, runUrl: session.context.runUrl },
      links,
    }),
  );
}

/** With comment-on-pr, the merged pull request's plan comment says what became of its plan. */
async function recordOutcome(
  session: Session<DeployConfig>,
  progress: DeployProgress,
  error: unknown,
): Promise<void> {
  const { config, context, dependencies } = session;
  const { commentOnPr, token } = config.github;
  if (!commentOnPr || !token) return;
  const failed = error === undefined ? undefined : error instanceof DeployError ? error : undefined;
  const status =
    error === undefined
      ? progress.applied
        ? 'applied'
        : 'nothing-to-apply'
      : progress.applied
        ? 'rollout-failed'
        : 'not-applied';
  await recordApplyOutcomeSafely({
    octokit: await octokit(session, token),
    owner: context.owner,
    repo: context.repo,
    commitSha: context.sha,
    workingDirectory: config.terraform.label,
    outcome: {
      status,
      commit: context.sha,
      runUrl: context.runUrl,
      ...(progress.plan ? { counts: describeCounts(progress.plan.summary) } : {}),
      ...(error === undefined
        ? {}
        : { reason: failed?.reason ?? 'unexpected-error', message: failed?.message ?? errorMessage(error) }),
    },
    secretMask: createRedactor([...config.secrets, ...(progress.plan?.review.sensitiveValues ?? [])]),
    log: dependencies.log,
  });
}
