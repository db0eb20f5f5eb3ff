import type { FailureDescription } from './description';

/** Terraform (plan, deploy). */
export const TERRAFORM_FAILURES = {
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
} as const satisfies Record<string, FailureDescription>;
