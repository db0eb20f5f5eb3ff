import * as core from '@actions/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consoleLinkLines, consoleLinks, type ConsoleLinks } from './console';
import type { AwsClients } from './aws';
import {
  comparePlans,
  findApprovedPlan,
  createRedactor,
  recordApplyOutcomeSafely,
  renderPlanComment,
  upsertPlanComment,
  type ApprovedPlan,
  type GitHubClient,
} from './comment';
import {
  ConfigError,
  parseConfig,
  type AwsSettings,
  type Config,
  type ConfigPaths,
  type InputReader,
  type RolloutSettings,
} from './config';
import { readRunContext, type RunContext } from './runContext';
import { DeployError, errorMessage, errorName } from './errors';
import { runCommand, type CommandRunner } from './exec';
import {
  buildAndPush,
  buildLocally,
  resolveImage,
  withRegistryLogin,
  type BeforePush,
  type ImageDependencies,
  type ImageResult,
} from './image';
import { actionsLogger, type Logger } from './log';
import { scaledClock, systemClock, type Clock } from './clock';
import {
  createActionsReporter,
  deploySummary,
  failureSummary,
  imageOutputs,
  planOutputs,
  planSummary,
  rolloutOutputs,
  rolloutSummary,
  terraformOutputs,
  type Reporter,
} from './report';
import type { RolloutResult } from './rollout';
import type { ScaleTestTarget } from './scale';
import {
  createTerraform,
  describeCounts,
  destroyGuard,
  readDeployedImage,
  readStackOutputs,
  type Terraform,
  type TerraformPlan,
} from './terraform';

/** Everything `run` touches outside itself; tests replace any of it. */
export interface RunDependencies {
  readInput: InputReader;
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  /** Async: the AWS SDK loads only for the commands that call AWS (see `loadAwsClients`). */
  createClients: (settings: AwsSettings) => Promise<AwsClients>;
  reporter: Reporter;
  /** Runs terraform and docker. */
  runCommand: CommandRunner;
  maskSecret: (value: string) => void;
  /** Async: Octokit loads only when a command talks to GitHub. */
  createOctokit: (token: string) => Promise<GitHubClient>;
  readFile: (path: string) => string;
  paths: ConfigPaths;
}

/**
 * Each command loads its own stages (dynamic imports, one bundle chunk each): an invalid input or
 * a `plan` never compiles the AWS SDK clients the rollout and the scale test use.
 */
async function loadAwsClients(settings: AwsSettings): Promise<AwsClients> {
  return (await import('./aws')).createAwsClients(settings);
}

function defaultDependencies(): RunDependencies {
  return {
    readInput: (name) => core.getInput(name),
    env: process.env,
    log: actionsLogger,
    clock: systemClock,
    fetch: globalThis.fetch,
    createClients: loadAwsClients,
    reporter: createActionsReporter(actionsLogger, process.env),
    runCommand,
    maskSecret: (value) => {
      core.setSecret(value);
    },
    createOctokit: async (token) => (await import('@actions/github')).getOctokit(token),
    readFile: (path) => readFileSync(path, 'utf8'),
    paths: {
      workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
      // The bundle runs from dist/, and the stack ships beside it in the action's checkout.
      bundledTerraform: resolve(__dirname, '..', 'terraform'),
    },
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
      // Only with step debug logging on: a stack trace helps us, and tells a user nothing.
      if (error instanceof Error && error.stack && core.isDebug()) core.debug(error.stack);
    }
  }
  reporter.setFailed(nextSteps ? `${message}\nWhat to do: ${nextSteps}` : message);
  // After the failure is reported: an unwritable GITHUB_OUTPUT must not hide why the run failed.
  try {
    reporter.setOutput('failure-reason', reason);
  } catch (outputError) {
    log.warning(`Could not set the failure-reason output: ${errorMessage(outputError)}`);
  }
  try {
    await reporter.writeSummary(failureSummary(reason, message, nextSteps));
  } catch (summaryError) {
    log.warning(`Could not write the job summary: ${errorMessage(summaryError)}`);
  }
}

function setOutputs(reporter: Reporter, outputs: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(outputs)) reporter.setOutput(name, value);
}

/** One run's collaborators, built once the config is known to be valid. */
interface Session {
  config: Config;
  dependencies: RunDependencies;
  context: RunContext;
  terraform: Terraform;
  workDir: string;
}

function imageDependencies({ dependencies }: Session): ImageDependencies {
  const { runCommand: run, log, fetch, clock, env, maskSecret } = dependencies;
  return { run, log, fetch, clock, env, maskSecret };
}

async function provideImage(session: Session): Promise<ImageResult> {
  const { image } = session.config;
  if (image.existing) {
    const resolved = await resolveImage(imageDependencies(session), {
      image: image.existing,
      credentials: image.credentials,
    });
    const check = preflight(session, resolved.revision);
    if (check) {
      await withRegistryLogin(imageDependencies(session), image.existing, image.credentials, () =>
        check(resolved.reference),
      );
    }
    return resolved;
  }
  if (!image.build) throw new Error('config guarantees build settings when no image is given');
  return buildAndPush(imageDependencies(session), image.build, preflight(session, image.build.revision));
}

// --- Preflight (issue 22): the image runs as the instances will, before any push or plan. ---

/** The preflight's check of an image that names `expectedCommit`; its own settings, from the inputs. */
function preflight(session: Session, expectedCommit: string | undefined): BeforePush | undefined {
  const { config, dependencies } = session;
  // The preflight command always checks; deploy unless `preflight: false`.
  if (!config.preflight && config.command !== 'preflight') return undefined;
  const { runCommand: run, log, clock } = dependencies;
  return async (image) => {
    const { runPreflight, STARTUP_TIMEOUT_SECONDS } = await import('./preflight');
    const settings = {
      healthPath: config.rollout.smokePath,
      pagePath: config.rollout.smokeAppPath,
      expectedCommit,
      startupTimeoutSeconds: STARTUP_TIMEOUT_SECONDS,
    };
    await runPreflight({ run, log, clock }, settings, image);
  };
}

/** `preflight`: build locally (or pin the given image) and check it; nothing is pushed or planned. */
async function preflightCommand(session: Session): Promise<void> {
  const { localBuild } = session.config.image;
  if (!localBuild) {
    await provideImage(session);
    return;
  }
  const built = await buildLocally(imageDependencies(session), localBuild);
  await preflight(session, localBuild.revision)?.(built);
}

// --- end of the preflight wiring ---

async function planWithImage(session: Session, image: string, name: string): Promise<TerraformPlan> {
  const { terraform } = session.config;
  return session.terraform.plan({
    variables: terraform.variables,
    overrides: { image },
    varFiles: terraform.varFiles,
    planFile: join(session.workDir, `${name}.tfplan`),
  });
}

/** Fails with the protected resources a plan would delete or replace, unless allowed. */
function guardDestroys(session: Session, plan: TerraformPlan): void {
  const { allowDestroy, protectedResourceTypes } = session.config.terraform;
  const refusal = destroyGuard(plan.summary, { allowDestroy, protectedTypes: protectedResourceTypes });
  if (refusal) throw refusal;
}

async function octokit(session: Session): Promise<GitHubClient> {
  const { token } = session.config.github;
  if (!token) throw new Error('config guarantees a token when GitHub is called');
  return session.dependencies.createOctokit(token);
}

async function commentPlan(
  session: Session,
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
    octokit: await octokit(session),
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

/** `plan`: what a merge would change, on the pull request for reviewers; nothing is built or applied. */
async function planCommand(session: Session): Promise<void> {
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
  if (config.github.commentOnPr) await commentPlan(session, plan, image, resolved?.tags ?? []);
  await reporter.writeSummary(planSummary(plan.summary, image, config.terraform.label));
  guardDestroys(session, plan);
}

/**
 * With require-approved-plan, before anything is built, pushed, planned or changed: the merged
 * pull request this commit came from and the plan reviewers saw on it. Only reads GitHub, so an
 * unapproved commit (or a token that may not read pull requests) stops with nothing done.
 */
async function findApproval(session: Session): Promise<ApprovedPlan> {
  const { context, config, dependencies } = session;
  return findApprovedPlan({
    octokit: await octokit(session),
    owner: context.owner,
    repo: context.repo,
    commitSha: context.sha,
    workingDirectory: config.terraform.label,
    log: dependencies.log,
  });
}

/** Before apply: a fresh plan at the approved image must be the one reviewers saw. */
async function checkPlanMatchesApproval(session: Session, approved: ApprovedPlan): Promise<void> {
  const plan = await planWithImage(session, approved.marker.image, 'approved-check');
  const difference = comparePlans(approved, { summary: plan.summary, image: approved.marker.image });
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
async function deployCommand(session: Session): Promise<void> {
  const progress: DeployProgress = { applied: false };
  try {
    await deploySteps(session, progress);
  } catch (error) {
    await recordOutcome(session, progress, error);
    throw error;
  }
  await recordOutcome(session, progress, undefined);
}

async function deploySteps(session: Session, progress: DeployProgress): Promise<void> {
  const { config, dependencies } = session;
  const { reporter, log } = dependencies;
  const approved = config.github.requireApprovedPlan ? await findApproval(session) : undefined;
  const image = await provideImage(session);
  setOutputs(reporter, imageOutputs(image));
  await session.terraform.init({ backendConfig: config.terraform.backendConfig });
  if (approved) await checkPlanMatchesApproval(session, approved);
  const plan = await planWithImage(session, image.reference, 'deploy');
  progress.plan = plan;
  setOutputs(reporter, planOutputs(plan.summary));
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
  const rollout = await rollOut(session, {
    ...config.rollout,
    asgName: stack.asgName,
    targetGroupArns: [stack.targetGroupArn],
    launchTemplateVersion: stack.launchTemplateVersion,
    appUrl: config.rollout.appUrl ?? stack.appUrl,
    expectedCommit: image.revision,
    appLogGroup: config.rollout.appLogGroup ?? stack.appLogGroup,
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
async function recordOutcome(session: Session, progress: DeployProgress, error: unknown): Promise<void> {
  const { config, context, dependencies } = session;
  if (!config.github.commentOnPr || !config.github.token) return;
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
    octokit: await octokit(session),
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

/** Before the rollout, so a failed one leaves them in the log too. */
function logConsoleLinks(
  { config, dependencies }: Session,
  asgName: string,
  targetGroupArns: string[],
): ConsoleLinks {
  const links = consoleLinks(config.aws.region, asgName, targetGroupArns);
  for (const line of consoleLinkLines(links)) dependencies.log.info(line);
  return links;
}

async function rolloutDependencies({ dependencies, config }: Session) {
  const { log, fetch } = dependencies;
  const clock = scaledClock(dependencies.clock, config.aws.timeScale);
  return { clients: await dependencies.createClients(config.aws), log, clock, fetch };
}

/** Runs the rollout; when it fails, the failing instances' last app log lines follow the reason. */
async function rollOut(session: Session, settings: RolloutSettings): Promise<RolloutResult> {
  const dependencies = await rolloutDependencies(session);
  const { runRollout } = await import('./rollout');
  const { FAILED_ROLLOUT_REASONS, printAppLogOfFailingInstances } = await import('./rollout/appLog');
  try {
    return await runRollout(dependencies, settings, session.config.aws.region);
  } catch (error) {
    if (error instanceof DeployError && FAILED_ROLLOUT_REASONS.has(error.reason)) {
      await printAppLogOfFailingInstances({
        clients: dependencies.clients,
        log: dependencies.log,
        asgName: settings.asgName,
        targetGroupArns: settings.targetGroupArns,
        logGroup: settings.appLogGroup,
        knownSecrets: session.config.secrets,
      });
    }
    throw error;
  }
}

async function rolloutCommand(session: Session): Promise<RolloutResult> {
  const { config, dependencies } = session;
  const links = logConsoleLinks(session, config.rollout.asgName, config.rollout.targetGroupArns);
  const result = await rollOut(session, config.rollout);
  setOutputs(dependencies.reporter, rolloutOutputs(result));
  await dependencies.reporter.writeSummary(rolloutSummary(result, links));
  return result;
}

/** The group to load: named by the inputs, or read from the applied stack's outputs. */
async function scaleTestTarget(session: Session): Promise<ScaleTestTarget> {
  const { config } = session;
  if (config.rollout.asgName !== '') {
    return {
      asgName: config.rollout.asgName,
      targetGroupArns: config.rollout.targetGroupArns,
      policyName: undefined,
      appLogGroup: undefined,
    };
  }
  await session.terraform.init({ backendConfig: config.terraform.backendConfig });
  const { scaleTestTargetFromOutputs } = await import('./scale/stack');
  return scaleTestTargetFromOutputs(await session.terraform.outputs());
}

/** Aborts when the runner cancels the job (SIGINT, then SIGTERM), so the load is stopped first. */
function abortOnCancel(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = (signalName: string): void => {
    controller.abort(
      new DeployError(
        'cancelled',
        `The run was cancelled (${signalName}) during the scale test.`,
        'The load was stopped; run the scale test again when ready.',
      ),
    );
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      abort(name);
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
  };
}

/** `scale-test`: load the fleet's CPU, watch the alarm, the scale-out and the new targets. */
async function scaleTestCommand(session: Session): Promise<void> {
  const { config, dependencies } = session;
  const { reporter, log, clock } = dependencies;
  const target = await scaleTestTarget(session);
  const clients = await dependencies.createClients(config.aws);
  const { runScaleTest, ScaleTestFailure, scaleTestOutputs, scaleTestSummary } = await import('./scale');
  const { printAppLogOfFailingInstances } = await import('./rollout/appLog');
  const cancel = abortOnCancel();
  try {
    const result = await runScaleTest(
      { clients, log, clock, signal: cancel.signal },
      { ...config.scaleTest, pollIntervalSeconds: config.rollout.pollIntervalSeconds },
      target,
      config.aws.region,
    );
    setOutputs(reporter, scaleTestOutputs(result));
    await reporter.writeSummary(scaleTestSummary(result));
  } catch (error) {
    if (error instanceof ScaleTestFailure) {
      if (error.reason === 'new-instances-not-serving') {
        await printAppLogOfFailingInstances({
          clients,
          log,
          asgName: target.asgName,
          targetGroupArns: target.targetGroupArns,
          logGroup: config.rollout.appLogGroup ?? target.appLogGroup,
          knownSecrets: [],
        });
      }
      setOutputs(reporter, scaleTestOutputs(error.result));
      await reporter.writeSummary(scaleTestSummary(error.result));
    }
    throw error;
  } finally {
    cancel.dispose();
  }
}

const COMMAND_HANDLERS = {
  plan: planCommand,
  deploy: deployCommand,
  rollout: rolloutCommand,
  'scale-test': scaleTestCommand,
  preflight: preflightCommand,
};

/** Terraform's AWS access follows the action's: same region, same endpoint override. */
function terraformEnvironment(config: Config): Record<string, string> {
  return {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_REGION: config.aws.region,
    ...(config.aws.endpointUrl ? { AWS_ENDPOINT_URL: config.aws.endpointUrl } : {}),
    ...instancePullVariables(config),
  };
}

/**
 * The instances' registry login, as TF_VAR_ environment: not -var, which would put the token on
 * the command line; the variable is ephemeral, so no plan or state keeps it. Configurations that
 * do not declare these variables ignore them.
 */
function instancePullVariables(config: Config): Record<string, string> {
  const pull = config.image.instancePull;
  if (!pull) return {};
  return { TF_VAR_registry_username: pull.username, TF_VAR_registry_pull_token: pull.password };
}

/** The action: validates every input first, then runs the stages of the chosen command. */
export async function run(overrides: Partial<RunDependencies> = {}): Promise<void> {
  const dependencies = { ...defaultDependencies(), ...overrides };
  let workDir: string | undefined;
  try {
    const config = parseConfig(dependencies.readInput, dependencies.env, dependencies.paths);
    for (const secret of config.secrets) dependencies.maskSecret(secret);
    const context = readRunContext(dependencies.env, dependencies.readFile);
    workDir = await mkdtemp(join(dependencies.env.RUNNER_TEMP || tmpdir(), 'ha-django-deploy-'));
    const terraform = createTerraform(
      {
        run: dependencies.runCommand,
        log: dependencies.log,
        clock: dependencies.clock,
        env: terraformEnvironment(config),
      },
      {
        workingDirectory: config.terraform.workingDirectory,
        lockTimeout: config.terraform.lockTimeout,
        // plan is never applied: it takes no lock, so the plan role can stay read-only.
        lock: config.command !== 'plan',
      },
    );
    await COMMAND_HANDLERS[config.command]({ config, dependencies, context, terraform, workDir });
  } catch (error) {
    await reportFailure(error, dependencies);
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}
