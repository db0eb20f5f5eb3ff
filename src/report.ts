import * as core from '@actions/core';
import { consoleLinksMarkdown, type ConsoleLinks } from './console';
import type { ImageResult } from './image';
import type { Logger } from './log';
import type { RolloutResult } from './rollout';
import { describeCounts, type StackOutputs } from './terraform';
import type { PlanSummary } from './terraform/types';

/** Where results go: action outputs and the job summary on a runner, a recorder in tests. */
export interface Reporter {
  setOutput(name: string, value: string | number): void;
  /** Marks the step failed with the message a person reads first. */
  setFailed(message: string): void;
  /** Markdown for the job summary (the log gets it too when there is no summary file). */
  writeSummary(markdown: string): Promise<void>;
}

export function createActionsReporter(log: Logger, env: NodeJS.ProcessEnv): Reporter {
  return {
    setOutput: (name, value) => {
      core.setOutput(name, value);
    },
    setFailed: (message) => {
      core.setFailed(message);
    },
    writeSummary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) {
        await core.summary.addRaw(markdown, true).write();
      } else {
        await log.group('Job summary (GITHUB_STEP_SUMMARY is not set, so here)', () => {
          log.info(markdown);
          return Promise.resolve();
        });
      }
    },
  };
}

function table(rows: [string, string][]): string {
  return [
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| ${key} | ${value.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}

export function rolloutOutputs(result: RolloutResult): Record<string, string | number> {
  return {
    'refresh-id': result.refreshId ?? '',
    'refresh-status': result.refreshStatus,
    'healthy-targets': result.healthyTargets,
    'rollout-seconds': result.seconds,
    'launch-template-version': result.targetVersion,
  };
}

export function imageOutputs(image: ImageResult): Record<string, string> {
  return { image: image.reference, 'image-digest': image.digest };
}

/** Counts as Terraform words them, plus the fingerprint the approved-plan check compares. */
export function planOutputs(summary: PlanSummary): Record<string, string> {
  const { add, change, destroy, replace, fingerprint } = summary;
  return {
    'plan-has-changes': String(summary.hasChanges),
    'plan-summary': JSON.stringify({ add, change, destroy, replace, fingerprint }),
  };
}

export function terraformOutputs(stack: StackOutputs): Record<string, string> {
  return { 'alb-dns-name': stack.albDnsName, 'app-url': stack.appUrl };
}

/** At most this many resource rows in the job summary; the PR comment and the log have them all. */
const SUMMARY_RESOURCE_ROWS = 50;

export function planSummary(summary: PlanSummary, image: string, label: string): string {
  const rows = summary.resourceChanges
    .slice(0, SUMMARY_RESOURCE_ROWS)
    .map((change): [string, string] => [`\`${change.address}\``, change.action]);
  const hidden = summary.resourceChanges.length - rows.length;
  return [
    `### Terraform plan: ${label}`,
    '',
    table([
      ['Image', `\`${image}\``],
      ['Changes', describeCounts(summary)],
      ['Fingerprint', `\`${summary.fingerprint}\``],
      ...rows,
      ...(hidden > 0 ? ([['…', `${hidden} more in the log`]] as [string, string][]) : []),
    ]),
  ].join('\n');
}

export interface DeployReport {
  image: ImageResult;
  plan: PlanSummary;
  rollout: RolloutResult;
  label: string;
  links?: ConsoleLinks;
}

export function deploySummary({ image, plan, rollout, label, links }: DeployReport): string {
  return [
    '### Deploy',
    '',
    table([
      [
        'Image',
        `\`${image.reference}\` (${image.built ? `built, tags ${image.tags.join(', ')}` : 'existing, not rebuilt'})`,
      ],
      [`Terraform (${label})`, plan.hasChanges ? `applied: ${describeCounts(plan)}` : 'no changes'],
    ]),
    '',
    rolloutSummary(rollout, links),
  ].join('\n');
}

export function rolloutSummary(result: RolloutResult, links?: ConsoleLinks): string {
  return [
    '### Rollout',
    '',
    table([
      ['Auto Scaling group', `\`${result.asgName}\``],
      [
        'Launch template',
        `\`${result.launchTemplateId}\` version ${result.previousVersion} -> ${result.targetVersion}`,
      ],
      [
        'Instance refresh',
        result.refreshId
          ? `\`${result.refreshId}\` ${result.refreshStatus}`
          : 'not needed: already on this version',
      ],
      ['Healthy targets', `${result.healthyTargets} (desired ${result.desiredCapacity})`],
      ['Smoke check', result.smokeUrl ? `${result.smokeUrl} answered 200` : 'skipped (smoke-check: false)'],
      ['Duration', `${result.seconds} s`],
      ...(links ? ([['AWS console', consoleLinksMarkdown(links)]] as [string, string][]) : []),
    ]),
  ].join('\n');
}

export function failureSummary(reason: string, message: string, nextSteps: string | undefined): string {
  return [
    '### Deploy failed',
    '',
    table([
      ['Reason', `\`${reason}\``],
      ['What happened', message.replace(/\n/g, '<br>')],
      ...(nextSteps ? ([['What to do', nextSteps]] as [string, string][]) : []),
    ]),
  ].join('\n');
}
