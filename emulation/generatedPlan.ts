import { createHash } from 'node:crypto';
import type { ChangeAction, PlanSummary, ResourceChange } from '../src/terraform/types';
import { planSummaryOf } from './planSummary';

/**
 * A large plan the way the terraform stage hands it over: a PlanSummary and `terraform show
 * -no-color` text in Terraform's layout. Shared by the rendering tests and bench/comment-render.
 */

type GeneratedAction = Extract<ChangeAction, 'create' | 'update' | 'delete' | 'replace' | 'read'>;

const HEADLINES: Record<GeneratedAction, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  delete: 'will be destroyed',
  replace: 'must be replaced',
  read: 'will be read during apply',
};

const BLOCK_SYMBOLS: Record<GeneratedAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
};

/** One in 25 destroyed or replaced, the rest mostly created or updated, a few data reads. */
function actionFor(index: number): GeneratedAction {
  if (index % 50 === 7) return 'delete';
  if (index % 50 === 19) return 'replace';
  if (index % 10 === 3) return 'read';
  return index % 2 === 0 ? 'create' : 'update';
}

function resourceText(change: ResourceChange, index: number): string[] {
  const action = change.action as GeneratedAction;
  const symbol = BLOCK_SYMBOLS[action];
  const [type, name] = change.address.replace(/^module\.[^.]+\./, '').split('.') as [string, string];
  const lines = [
    `  # ${change.address} ${HEADLINES[action]}`,
    `  ${symbol} resource "${type}" "${name.replace(/\[.*$/, '')}" {`,
    `      ~ id                     = "i-${index.toString(16).padStart(17, '0')}" -> (known after apply)`,
    `      + ami                    = "ami-0${(index * 7919).toString(16).padStart(16, '0')}"`,
    `      ~ instance_type          = "t3.small" -> "t3.medium"`,
    `      ~ user_data              = (sensitive value)`,
    `      ~ tags                   = {`,
    `          ~ "Name"    = "web-${index}" -> "web-${index + 1}"`,
    `            "Service" = "shop"`,
    `        }`,
    `        # (24 unchanged attributes hidden)`,
    `    }`,
    '',
  ];
  if (change.action === 'replace')
    lines.splice(3, 0, `      ~ subnet_id              = "subnet-a" -> "subnet-b" # forces replacement`);
  return lines;
}

export function generatePlan(resourceCount: number): { summary: PlanSummary; planText: string } {
  const resourceChanges: ResourceChange[] = Array.from({ length: resourceCount }, (_, index) => {
    const action = actionFor(index);
    const type = action === 'read' ? 'aws_ami' : 'aws_instance';
    const change: ResourceChange = {
      address: `module.service_${String(index % 40).padStart(2, '0')}.${type}.node["web-${String(index).padStart(5, '0')}"]`,
      type,
      action,
    };
    if (action === 'replace') change.reason = 'replace_because_cannot_update';
    if (action === 'delete') change.reason = 'delete_because_no_resource_config';
    return change;
  }).sort((a, b) => (a.address < b.address ? -1 : 1));

  const summary = planSummaryOf(
    resourceChanges,
    [
      { name: 'app_url', action: 'update', sensitive: false },
      { name: 'database_password', action: 'create', sensitive: true },
    ],
    `sha256:${createHash('sha256')
      .update(resourceChanges.map((change) => `${change.action} ${change.address}`).join('\n'))
      .digest('hex')}`,
  );

  const planText = [
    'Terraform used the selected providers to generate the following execution',
    'plan. Resource actions are indicated with the following symbols:',
    '  + create',
    '  ~ update in-place',
    '  - destroy',
    '-/+ destroy and then create replacement',
    ' <= read (data resources)',
    '',
    'Terraform will perform the following actions:',
    '',
    ...resourceChanges.flatMap(resourceText),
    `Plan: ${summary.add + summary.replace} to add, ${summary.change} to change, ${summary.destroy + summary.replace} to destroy.`,
    '',
    'Changes to Outputs:',
    '  ~ app_url           = "http://old.example" -> (known after apply)',
    '  + database_password = (sensitive value)',
  ].join('\n');
  return { summary, planText };
}
