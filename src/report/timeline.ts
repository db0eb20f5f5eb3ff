/**
 * The rollout as a Mermaid Gantt chart (GitHub renders Mermaid in job summaries): instances per
 * release over time, the refresh's phases with the bake window, and the alarms that fired. Every
 * name in it is foreign (alarm names, statuses AWS returns): only letters, digits and `._-/()` and
 * spaces pass through, anything else becomes a Mermaid entity code, so nothing can end the fence,
 * a task, or the chart.
 */
import type { RolloutTimeline, TimelineEvent } from '../timeline';

const SAFE = /[A-Za-z0-9 ._/()-]/;
const MAX_NAME = 80;

/** Mermaid-inert text: characters outside a small safe set become `#<code>;` entities. */
export function mermaidText(text: string): string {
  // Code points, not grapheme clusters: each becomes its own entity, which is all an escape needs.
  return Array.from(text.slice(0, MAX_NAME), (char) =>
    SAFE.test(char) ? char : `#${char.codePointAt(0) ?? 63};`,
  ).join('');
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** A task from `start` to `end` seconds (at least one second wide, as Gantt needs). */
function task(name: string, start: number, end: number, tag = ''): string {
  return `    ${mermaidText(name)} :${tag ? `${tag}, ` : ''}${start}, ${Math.max(end, start + 1)}`;
}

function fleetSection(timeline: RolloutTimeline, version: string, end: number): string[] {
  const lines: string[] = [];
  timeline.fleet.forEach((sample, index) => {
    const count = sample.instancesByVersion[version] ?? 0;
    if (count === 0) return;
    const next = timeline.fleet[index + 1];
    const until = next ? seconds(next.atMs) : end;
    lines.push(task(`${count} instance${count === 1 ? '' : 's'}`, seconds(sample.atMs), until));
  });
  const role =
    version === timeline.newVersion
      ? 'new release'
      : version === timeline.previousVersion
        ? 'previous release'
        : 'release';
  return lines.length > 0 ? [`    section Version ${mermaidText(version)} (${role})`, ...lines] : [];
}

function refreshSection(events: TimelineEvent[], end: number): string[] {
  const phases = events.filter((event) => event.kind === 'refresh');
  return phases.length === 0
    ? []
    : [
        '    section Refresh',
        ...phases.map((phase, index) => {
          const next = phases[index + 1];
          const bake = phase.text === 'Baking';
          return task(
            bake ? 'Baking (bake window)' : phase.text,
            seconds(phase.atMs),
            next ? seconds(next.atMs) : end,
            bake ? 'active' : '',
          );
        }),
      ];
}

function alarmSection(events: TimelineEvent[]): string[] {
  const alarms = events.filter((event) => event.kind === 'alarm');
  return alarms.length === 0
    ? []
    : [
        '    section Alarms',
        ...alarms.map((alarm) => {
          const fired = alarm.text.endsWith('-> ALARM');
          return task(
            alarm.text,
            seconds(alarm.atMs),
            seconds(alarm.atMs),
            fired ? 'crit, milestone' : 'milestone',
          );
        }),
      ];
}

/** The chart as a fenced Mermaid block, or '' when the rollout recorded nothing to draw. */
export function timelineMarkdown(timeline: RolloutTimeline | undefined): string {
  if (!timeline || (timeline.fleet.length === 0 && timeline.events.length === 0)) return '';
  const times = [...timeline.fleet, ...timeline.events].map((item) => seconds(item.atMs));
  const end = Math.max(...times) + 1;
  const versions = [
    ...new Set([
      timeline.previousVersion,
      timeline.newVersion,
      ...timeline.fleet.flatMap((sample) => Object.keys(sample.instancesByVersion)),
    ]),
  ];
  return [
    '#### Rollout timeline',
    '',
    '```mermaid',
    'gantt',
    `    title Version ${mermaidText(timeline.previousVersion)} to ${mermaidText(timeline.newVersion)}, seconds since the rollout began`,
    '    dateFormat X',
    '    axisFormat %M:%S',
    ...versions.flatMap((version) => fleetSection(timeline, version, end)),
    ...refreshSection(timeline.events, end),
    ...alarmSection(timeline.events),
    '```',
  ].join('\n');
}
