/** The job summary's Markdown for each command's result or failure, and the failure's message, pure. */
import { codeSpan, escapeText, tableRow } from '../markdown';
import { createRedactor, releaseSection } from '../comment';
import { consoleLinksMarkdown, type ConsoleLinks } from '../console';
import { nextStepsFor, type FailureReason } from '../failures';
import type { ImageResult } from '../image';
import type { RolloutResult } from '../rollout';
import type { RolloutTimeline } from '../timeline';
import { timelineMarkdown } from './timeline';
import { describeCounts, type PlanReview, type PlanSummary, type ResourceChange } from '../terraform';

/**
 * A two-column table of cells already made inert (codeSpan, escapeText): the same building blocks
 * as the PR comment, so a resource address or an error text cannot leave its cell.
 */
function table(rows: [string, string][]): string {
  return ['| | |', '|---|---|', ...rows.map((row) => tableRow(row))].join('\n');
}

/** Several lines of text (an error message) in one cell. */
function textLines(text: string): string {
  return text.split(/\r?\n/).map(escapeText).join('<br>');
}

/** At most this many resource rows in the job summary; the PR comment and the log have them all. */
const SUMMARY_RESOURCE_ROWS = 50;

/** `update + import`, `move`: an import or move is shown with the action, or alone for a no-op. */
function actionText(change: ResourceChange): string {
  const extras = [change.importId !== undefined && 'import', change.movedFrom !== undefined && 'move'].filter(
    (extra): extra is string => typeof extra === 'string',
  );
  if (change.action === 'no-op' && extras.length > 0) return extras.join(' + ');
  return [
    change.action === 'unknown' ? `unknown (${escapeText(change.rawActions ?? '')})` : change.action,
    ...extras,
  ].join(' + ');
}

export function planSummary(summary: PlanSummary, image: string, label: string): string {
  const rows = summary.resourceChanges
    .slice(0, SUMMARY_RESOURCE_ROWS)
    .map((change): [string, string] => [codeSpan(change.address), actionText(change)]);
  const hidden = summary.resourceChanges.length - rows.length;
  return [
    `### Terraform plan: ${escapeText(label)}`,
    '',
    table([
      ['Image', codeSpan(image)],
      ['Changes', describeCounts(summary)],
      ['Fingerprint', codeSpan(summary.fingerprint)],
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
  /** The plan's review material and what to scrub from it: the same Release section as the PR comment. */
  release?: { review: PlanReview; secrets: readonly string[]; runUrl: string };
  links?: ConsoleLinks;
}

/** The release review in the job summary: image before -> after and the decoded boot-script diffs. */
function deployRelease(image: ImageResult, release: DeployReport['release']): string[] {
  if (!release) return [];
  const scrub = createRedactor([...release.secrets, ...release.review.sensitiveValues]);
  const section = releaseSection({
    review: release.review,
    image: image.reference,
    imageTags: image.tags,
    scrub,
    logLink: 'run log',
  });
  return section === '' ? [] : ['', section];
}

export function deploySummary({ image, plan, rollout, label, release, links }: DeployReport): string {
  return [
    '### Deploy',
    '',
    table([
      [
        'Image',
        `${codeSpan(image.reference)} (${image.built ? `built, tags ${escapeText(image.tags.join(', '))}` : 'existing, not rebuilt'})`,
      ],
      [
        `Terraform (${escapeText(label)})`,
        plan.hasChanges ? `applied: ${describeCounts(plan)}` : 'no changes',
      ],
    ]),
    ...deployRelease(image, release),
    '',
    rolloutSummary(rollout, links),
  ].join('\n');
}

export function rolloutSummary(result: RolloutResult, links?: ConsoleLinks): string {
  return [
    '### Rollout',
    '',
    table([
      ['Auto Scaling group', codeSpan(result.asgName)],
      [
        'Launch template',
        `${codeSpan(result.launchTemplateId)} version ${result.previousVersion} -> ${result.targetVersion}`,
      ],
      [
        'Instance refresh',
        result.refreshId
          ? `${codeSpan(result.refreshId)} ${escapeText(result.refreshStatus)}`
          : 'not needed: already on this version',
      ],
      ['Healthy targets', `${result.healthyTargets} (desired ${result.desiredCapacity})`],
      [
        'Smoke check',
        result.smoke
          ? `${codeSpan(result.smoke.url)}: ${result.smoke.answers} answers in a row from commit ${codeSpan(result.smoke.commit)}; ${codeSpan(result.smoke.appUrl)} answered ${result.smoke.appStatus}`
          : 'skipped (smoke-check: false)',
      ],
      ['Duration', `${result.seconds} s`],
      ...(links ? ([['AWS console', consoleLinksMarkdown(links)]] as [string, string][]) : []),
    ]),
    ...withTimeline(result.timeline),
  ].join('\n');
}

/** The summary's answer to "do users get this release now?", when a failure knows it. */
function releaseRow(releaseLive: boolean | undefined): [string, string][] {
  if (releaseLive === undefined) return [];
  return [
    [
      'Release',
      releaseLive
        ? '**live**: the refresh succeeded, so users get this release although a check after it failed'
        : 'not live: the group was rolled back to the version it ran before',
    ],
  ];
}

function withTimeline(timeline: RolloutTimeline | undefined): string[] {
  const chart = timelineMarkdown(timeline);
  return chart === '' ? [] : ['', chart];
}

/** What a failure may know beyond its reason: whether users get the release, and its rollout. */
export interface FailureDetails {
  releaseLive?: boolean | undefined;
  timeline?: RolloutTimeline | undefined;
}

/**
 * `nextSteps`: the error's own; when it has none, the failure catalogue's say what to do.
 * `details.releaseLive`: whether users get this run's release despite the failure, when known.
 */
export function failureSummary(
  reason: FailureReason,
  message: string,
  nextSteps: string | undefined,
  { releaseLive, timeline }: FailureDetails = {},
): string {
  return [
    '### Deploy failed',
    '',
    table([
      ['Reason', codeSpan(reason)],
      ...releaseRow(releaseLive),
      ['What happened', textLines(message)],
      ['What to do', textLines(nextStepsFor(reason, nextSteps))],
    ]),
    ...withTimeline(timeline),
  ].join('\n');
}

/** The message the step fails with: what happened, then the next step (the catalogue's if the error has none). */
export function failureMessage(
  reason: FailureReason,
  message: string,
  nextSteps: string | undefined,
): string {
  return `${message}\nWhat to do: ${nextStepsFor(reason, nextSteps)}`;
}
