/**
 * Every `failure-reason` the action can set: the output is a public contract (scripts branch on
 * it), so each code is declared once here with what it means, what to do about it, and whether the
 * failing instances' app log follows it in the log. `DeployError` and every other producer of a
 * reason take only these keys; the README's failure table and the output's description in
 * action.yml are generated from this object (`npm run docs`).
 */

export interface FailureDescription {
  /** What happened, as the README's failure table says it. */
  readonly meaning: string;
  /** The next step, printed in the log when the error's own message names none. */
  readonly whatToDo: string;
  /** Whether the last app log lines of the failing instances are printed after the reason. */
  readonly showsAppLog: boolean;
}

export const FAILURES = {
  // Any command
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
  // Image (deploy)
  'docker-unavailable': {
    meaning: 'the docker CLI could not be run to build the image',
    whatToDo:
      'Run the job on a runner with Docker (GitHub-hosted Ubuntu runners have it), or pass an existing `image` to deploy without building.',
    showsAppLog: false,
  },
  'registry-login-failed': {
    meaning: '`docker login` to the registry failed',
    whatToDo:
      'Check the registry username and token; for DockerHub, `dockerhub-username` and `dockerhub-token`: an access token with Read & Write permission, stored as a repository secret.',
    showsAppLog: false,
  },
  'image-build-failed': {
    meaning: '`docker build` failed; the build output in the log shows the failing Dockerfile step',
    whatToDo: 'Reproduce it locally with `docker build` on the same context, fix it and deploy again.',
    showsAppLog: false,
  },
  'image-push-failed': {
    meaning: '`docker push` of one of the tags failed',
    whatToDo:
      'Check that the token may push (Read & Write) and that the repository exists, or that your account may create it.',
    showsAppLog: false,
  },
  'image-digest-missing': {
    meaning:
      'the push or the registry gave no valid digest for the image, so it cannot be deployed by digest; nothing is deployed by a guessed one',
    whatToDo:
      'Re-run the job; if it persists, report it with the docker version in use, or use a registry that implements the Distribution API fully.',
    showsAppLog: false,
  },
  'image-digest-mismatch': {
    meaning:
      "the tags of one build were pushed with different digests, or the registry's digest differs from the one pushed or asked for",
    whatToDo:
      'Another push to the same tags raced this one: run deploys of one repository one at a time (a workflow concurrency group) and re-run.',
    showsAppLog: false,
  },
  'image-not-found': {
    meaning: 'the registry has no such tag or digest of `image`',
    whatToDo:
      'Check the reference; to return to an earlier release, copy the digest from the image output of that deploy.',
    showsAppLog: false,
  },
  'registry-unauthorized': {
    meaning: 'the registry would not let these credentials read the repository, or it does not exist',
    whatToDo:
      'Check the repository name, and that the token can read it; for a private repository, give `dockerhub-username` and `dockerhub-token`.',
    showsAppLog: false,
  },
  'registry-unreachable': {
    meaning: 'the registry could not be reached, after retries',
    whatToDo: 'Check the registry host name in the image reference and that the runner can reach it.',
    showsAppLog: false,
  },
  'registry-error': {
    meaning:
      'the registry or its token service answered an error, or asked for credentials in a way the action refuses (an unsupported or non-HTTPS challenge)',
    whatToDo: "Re-run the job; if it persists, check the registry's status page and address.",
    showsAppLog: false,
  },
  // Terraform (plan, deploy)
  'terraform-unavailable': {
    meaning: 'the terraform binary could not be run in `working-directory`',
    whatToDo:
      'Install Terraform before this step (hashicorp/setup-terraform with `terraform_wrapper: false`) and check that `working-directory` exists.',
    showsAppLog: false,
  },
  'terraform-init-failed': {
    meaning: "`terraform init` failed; Terraform's own error is quoted",
    whatToDo:
      'Check `backend-config` (bucket, key, region) and that the role may read the state bucket; provider downloads need registry.terraform.io.',
    showsAppLog: false,
  },
  'terraform-plan-failed': {
    meaning: "`terraform plan` (or `show` of the saved plan) failed; Terraform's own error is quoted",
    whatToDo: 'Fix the configuration or variables the error names; nothing was changed.',
    showsAppLog: false,
  },
  'terraform-plan-unreadable': {
    meaning: "`terraform show -json` printed no plan in Terraform's JSON format",
    whatToDo:
      'Disable the setup-terraform wrapper (`terraform_wrapper: false`), and use Terraform 1.6 or newer (or OpenTofu).',
    showsAppLog: false,
  },
  'terraform-apply-failed': {
    meaning:
      "`terraform apply` failed; Terraform's own error is quoted, and resources applied before it are in the state",
    whatToDo: 'Fix what the error names and deploy again; the next plan shows what is left.',
    showsAppLog: false,
  },
  'terraform-output-failed': {
    meaning: '`terraform output -json` failed or printed no JSON',
    whatToDo:
      'Re-run; check that the role may read the state and that the setup-terraform wrapper is off (`terraform_wrapper: false`).',
    showsAppLog: false,
  },
  'terraform-outputs-missing': {
    meaning: 'a custom `working-directory` lacks the outputs the rollout or the scale test reads',
    whatToDo:
      'Declare them as `terraform/root_outputs.tf` does (or apply the current bundled stack); for scale-test, passing `asg-name` also works.',
    showsAppLog: false,
  },
  'no-deployed-image': {
    meaning: '`plan` before the first deploy, without `image`',
    whatToDo: 'Pass `image` for that plan; after the first deploy, plan uses the deployed image.',
    showsAppLog: false,
  },
  'state-locked': {
    meaning: 'another run holds the Terraform state lock past `lock-timeout`',
    whatToDo:
      'Let it finish; only if no run holds it (a crashed job), run `terraform force-unlock` with the lock ID from the message.',
    showsAppLog: false,
  },
  'plan-stale': {
    meaning: "the state changed between this run's plan and apply",
    whatToDo: 'Re-run the deploy so it plans against the current state.',
    showsAppLog: false,
  },
  'destroy-blocked': {
    meaning:
      'the plan deletes or replaces a protected resource (VPC, subnets, ALB, target group, ASG); nothing was applied',
    whatToDo:
      'Change the configuration so they are updated in place, or set `allow-destroy: true` if the replacement is intended.',
    showsAppLog: false,
  },
  // Pull requests and GitHub (plan, deploy)
  'no-approved-plan': {
    meaning: '`require-approved-plan`: the commit has no merged pull request with a plan comment',
    whatToDo: 'Deploy through a pull request, or set `require-approved-plan: false` for a manual rollback.',
    showsAppLog: false,
  },
  'plan-changed': {
    meaning: '`require-approved-plan`: the fresh plan differs from the one on the merged pull request',
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
  // The group and its refresh (deploy, rollout)
  'asg-not-found': {
    meaning: 'the Auto Scaling group does not exist in that region',
    whatToDo: 'Check `asg-name` and `aws-region` (the terraform output `asg_name`).',
    showsAppLog: false,
  },
  'unsupported-group': {
    meaning:
      'the group uses a launch configuration or a mixed instances policy, not a launch template directly',
    whatToDo: 'Attach a launch template to the group (the bundled stack does), then run again.',
    showsAppLog: false,
  },
  'launch-template-version-not-found': {
    meaning: "the group's launch template, or the version `launch-template-version` names, could not be read",
    whatToDo:
      'Check `launch-template-version` (terraform output `launch_template_version`) and that the role may call `ec2:DescribeLaunchTemplates` and `ec2:DescribeLaunchTemplateVersions`.',
    showsAppLog: false,
  },
  'no-target-groups': {
    meaning: 'the group has no target groups, so there is no load balancer health to wait for',
    whatToDo: 'Attach the group to its target group (the bundled stack does), or pass `target-group-arn`.',
    showsAppLog: false,
  },
  'auto-rollback-unsupported': {
    meaning:
      '`auto-rollback: true` for a group on `$Latest` / `$Default`, which AWS cannot roll back; nothing changed',
    whatToDo: 'Point the group at a version number, or set `auto-rollback: false`.',
    showsAppLog: false,
  },
  'refresh-in-progress': {
    meaning:
      'another instance refresh is running and `on-refresh-in-progress: fail`, or one started while this one was being prepared',
    whatToDo:
      'Wait, or use `on-refresh-in-progress: wait` or `cancel`; serialize deploys per environment (a workflow concurrency group).',
    showsAppLog: false,
  },
  'refresh-not-started': {
    meaning: 'AWS accepted the instance refresh but returned no refresh id',
    whatToDo:
      'Look for the refresh in the EC2 console, then run the action again with `on-refresh-in-progress: wait`.',
    showsAppLog: false,
  },
  'refresh-not-found': {
    meaning: 'AWS no longer describes the instance refresh this run was following',
    whatToDo: "Check the group's instance refreshes in the EC2 console before deploying again.",
    showsAppLog: false,
  },
  'rolled-back': {
    meaning:
      'the new version failed its health checks and AWS rolled back; users are served by the previous release',
    whatToDo: 'Read the target reason codes and the app log in the log; fix the release and deploy again.',
    showsAppLog: true,
  },
  'refresh-failed': {
    meaning: 'the instance refresh failed (auto-rollback off)',
    whatToDo:
      'The group may run mixed versions: fix the release and deploy again, or deploy the previous image.',
    showsAppLog: true,
  },
  'rollback-failed': {
    meaning: "the release failed and so did AWS's rollback",
    whatToDo: 'Urgent: check the group in the EC2 console, then deploy the last good image by its digest.',
    showsAppLog: true,
  },
  'refresh-cancelled': {
    meaning: 'the instance refresh ended `Cancelled` (someone or another deploy cancelled it)',
    whatToDo: 'Replaced instances stay replaced; deploy again to finish.',
    showsAppLog: true,
  },
  'refresh-not-successful': {
    meaning: 'the instance refresh ended with a status other than `Successful`, or none',
    whatToDo: 'Check the refresh in the EC2 console before deploying again.',
    showsAppLog: false,
  },
  timeout: {
    meaning:
      "not healthy within `wait-timeout-minutes`; this run's refresh was rolled back or cancelled per `on-timeout`, unless the group was already healthy on the new version or AWS was rolling it back itself (the log says which)",
    whatToDo:
      "Read the target lines and the refresh's last status; raise `wait-timeout-minutes` only if instances were merely slow.",
    showsAppLog: true,
  },
  'credentials-expired': {
    meaning: 'the AWS session expired mid-wait; the refresh may still be running',
    whatToDo:
      'Check it with the command in the message; raise `role-duration-seconds` above `wait-timeout-minutes`.',
    showsAppLog: false,
  },
  // Smoke check (deploy, rollout)
  'no-load-balancer': {
    meaning: 'the target group is attached to no load balancer, so there is no URL to smoke-check',
    whatToDo: 'Attach it to a listener (the bundled stack does), set `app-url`, or set `smoke-check: false`.',
    showsAppLog: false,
  },
  'smoke-failed': {
    meaning: 'targets healthy, but the public health URL never answered 200 (or a later answer failed)',
    whatToDo: 'Check listener rules, DNS and security groups, or set `app-url` to the URL users reach.',
    showsAppLog: true,
  },
  'smoke-wrong-release': {
    meaning:
      'the health answers report another commit than the deployed one, or disagree: an old instance is still in rotation',
    whatToDo: 'Read the target lines; check that the listener forwards only to this group.',
    showsAppLog: false,
  },
  'smoke-no-commit': {
    meaning: 'the health answer does not say which commit it runs',
    whatToDo: 'Serve `{"version", "commit"}` on the health path (the bundled app does).',
    showsAppLog: false,
  },
  'smoke-answer-cut': {
    meaning:
      'the health answer was larger than 64 KiB or did not finish within 5 s, so it was not read further and the commit it reports is unknown',
    whatToDo:
      'Make the health path answer small JSON quickly; check that `smoke-path` names it and that nothing in front of the app answers instead.',
    showsAppLog: false,
  },
  'smoke-app-failed': {
    meaning: '`smoke-app-path` did not answer 2xx with the public Host',
    whatToDo:
      'On 400, add the host to `DJANGO_ALLOWED_HOSTS`; on a redirect, use the `https://` URL as `app-url`.',
    showsAppLog: false,
  },
  // Scale test
  'no-instances': {
    meaning: 'scale-test: the group has no InService instance to load; no load was sent',
    whatToDo: 'Deploy first, or wait for the group to launch its instances.',
    showsAppLog: false,
  },
  'at-max-capacity': {
    meaning: 'scale-test: the group already runs at max capacity; no load was sent',
    whatToDo: 'Raise `max_size`, or wait for a scale-in.',
    showsAppLog: false,
  },
  'scaling-suspended': {
    meaning: 'scale-test: `Launch` or `AlarmNotification` is suspended on the group; no load was sent',
    whatToDo: 'Resume the processes, if nobody suspended them on purpose.',
    showsAppLog: false,
  },
  'scaling-policy-disabled': {
    meaning: 'scale-test: the target tracking policy is disabled; no load was sent',
    whatToDo: 'Enable the policy (terraform apply of the bundled stack does).',
    showsAppLog: false,
  },
  'no-cpu-scaling-policy': {
    meaning: 'scale-test: the group has no single CPU target tracking policy',
    whatToDo: 'Keep exactly one `ASGAverageCPUUtilization` target tracking policy on the group.',
    showsAppLog: false,
  },
  'no-policy-alarms': {
    meaning: "scale-test: the policy's AWS-created alarms are gone, or none fires on high values",
    whatToDo: 'Recreate the policy so AWS recreates its alarms.',
    showsAppLog: false,
  },
  'load-too-short': {
    meaning:
      'scale-test: `stress-duration-seconds` is shorter than the high alarm needs to fire; no load was sent',
    whatToDo: 'Lengthen the load.',
    showsAppLog: false,
  },
  'load-not-started': {
    meaning: 'scale-test: every Run Command invocation failed',
    whatToDo: "Check the SSM agent and the instances' Fleet Manager status.",
    showsAppLog: false,
  },
  'alarm-not-fired': {
    meaning: 'scale-test: the alarm never fired; the message gives the peak CPU against the target',
    whatToDo: 'Use more `stress-workers-per-vcpu` or a longer load.',
    showsAppLog: false,
  },
  'no-scale-out': {
    meaning:
      'scale-test: the alarm fired, the group did not scale; the message says why (max capacity, suspended processes, warmup, last activity)',
    whatToDo: 'Act on the reason.',
    showsAppLog: false,
  },
  'new-instances-not-serving': {
    meaning:
      'scale-test: the group scaled out, the new instances never turned healthy; their reason codes are listed',
    whatToDo: 'Read the reason codes and their app log: boot, image pull, capacity.',
    showsAppLog: true,
  },
  'no-scale-in': {
    meaning: 'scale-test with `wait-for-scale-in`: the group did not scale back in within the timeout',
    whatToDo: 'Raise `scale-test-timeout-minutes`, or set `wait-for-scale-in: false`.',
    showsAppLog: false,
  },
  cancelled: {
    meaning: 'scale-test: the job was cancelled (SIGINT/SIGTERM) during the test; the load was stopped',
    whatToDo: 'Run the scale test again when ready.',
    showsAppLog: false,
  },
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
