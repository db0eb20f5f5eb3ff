import type { FailureDescription } from './description';

/** The group and its refresh (deploy, rollout). */
export const ROLLOUT_FAILURES = {
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
      'the new version failed its health checks and was rolled back: by this run within minutes, once AWS had taken two of its instances out after their grace period (the fast verdict), or by AWS after its hour of retries; users are served by the previous release, and the final state is in the message and `refresh-status`',
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
      "not healthy within `wait-timeout-minutes` (slow, without instances failing their checks, which the fast verdict would have rolled back sooner); this run's refresh was rolled back or cancelled per `on-timeout`, unless the group was already healthy on the new version or AWS was rolling it back itself (the log says which); the action then waited up to 15 minutes for that rollback or cancel and reports the group's final state (`refresh-status`: `RollbackInProgress` if it was still running)",
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
} as const satisfies Record<string, FailureDescription>;
