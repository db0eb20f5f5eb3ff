import type { ScaleTestResult } from './types';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : String(Math.round(ms / 1000));
}

/** The action outputs: empty strings for milestones that did not happen. */
export function scaleTestOutputs(result: ScaleTestResult): Record<string, string | number> {
  const { milestones } = result;
  return {
    'time-to-alarm-seconds': seconds(milestones.alarmAt),
    'time-to-scale-out-seconds': seconds(milestones.scaleOutAt),
    'time-to-serving-seconds': seconds(milestones.servingAt),
    'time-to-scale-in-seconds': seconds(milestones.scaleInAt),
    'peak-cpu': result.peakCpu === undefined ? '' : result.peakCpu.toFixed(1),
    'capacity-before': result.capacityBefore,
    'capacity-after': result.capacityAfter,
    'stress-command-id': result.commandId ?? '',
  };
}

function at(ms: number | undefined): string {
  return ms === undefined ? 'did not happen' : `${Math.round(ms / 1000)} s after the load started`;
}

/** Job summary: the figures as a table, then the timeline as a person reads it at a glance. */
export function scaleTestSummary(result: ScaleTestResult): string {
  const { milestones } = result;
  const rows: [string, string][] = [
    ['Auto Scaling group', `\`${result.asgName}\``],
    ['Policy', `\`${result.policyName}\`: target ${result.targetValue}% CPU, alarm \`${result.alarmName}\``],
    [
      'Load',
      result.commandId
        ? `Run Command \`${result.commandId}\` on ${result.instanceIds.length} instances`
        : 'not sent',
    ],
    ['Peak CPU', result.peakCpu === undefined ? 'no datapoint' : `${result.peakCpu.toFixed(1)}%`],
    ['Capacity', `${result.capacityBefore} -> ${result.capacityAfter}`],
    ['Alarm fired', at(milestones.alarmAt)],
    ['Scale-out decided', at(milestones.scaleOutAt)],
    ['New capacity serving', at(milestones.servingAt)],
    ...(milestones.scaleInAt === undefined
      ? []
      : ([['Scaled in', at(milestones.scaleInAt)]] as [string, string][])),
  ];
  return [
    '### Scale test',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| ${key} | ${value.replace(/\|/g, '\\|')} |`),
    '',
    '```text',
    ...result.timeline,
    '```',
  ].join('\n');
}
