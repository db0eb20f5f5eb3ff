import * as core from '@actions/core';
import type { Logger } from './log';
import type { RolloutResult } from './rollout';

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

export function rolloutSummary(result: RolloutResult): string {
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
