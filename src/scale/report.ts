import { codeBlock, codeSpan, tableHeader, tableRow } from '../markdown';
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

/**
 * Job summary: the figures as a table, then the timeline as a person reads it at a glance. AWS
 * names and the timeline (which quotes AWS reasons) are foreign text: each goes through the shared
 * Markdown layer, so none can leave its code span, cell or block.
 */
export function scaleTestSummary(result: ScaleTestResult): string {
  const { milestones } = result;
  const rows: [string, string][] = [
    ['Auto Scaling group', codeSpan(result.asgName)],
    [
      'Policy',
      `${codeSpan(result.policyName)}: target ${result.targetValue}% CPU, alarm ${codeSpan(result.alarmName)}`,
    ],
    [
      'Load',
      result.commandId
        ? `Run Command ${codeSpan(result.commandId)} on ${result.instanceIds.length} instances`
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
    tableHeader(['', '']),
    ...rows.map((row) => tableRow(row)),
    '',
    codeBlock(result.timeline.join('\n'), 'text'),
  ].join('\n');
}
