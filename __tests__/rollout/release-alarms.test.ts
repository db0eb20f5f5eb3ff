import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  alarmPreferences,
  alarmProblems,
  bakeSeconds,
  recentValues,
  secondsToAlarm,
} from '../../src/rollout/alarms';
import type { RolloutSettings } from '../../src/rollout/settings';
import { mermaidText, timelineMarkdown } from '../../src/report/timeline';
import { createTimelineRecorder } from '../../src/timeline';

const settings = (extra: Partial<RolloutSettings>) =>
  ({ rollbackAlarms: undefined, bakeTimeSeconds: undefined, ...extra }) as RolloutSettings;

const metricAlarm = (extra: Partial<MetricAlarm>): MetricAlarm => ({
  AlarmName: 'web-5xx',
  StateValue: 'OK',
  EvaluationPeriods: 2,
  Period: 60,
  ...extra,
});

describe('release alarm preferences', () => {
  it('sends AlarmSpecification and a 300 s bake only with alarms, and the bake asked for', () => {
    expect(alarmPreferences(settings({}))).toEqual({});
    expect(alarmPreferences(settings({ rollbackAlarms: ['a'] }))).toEqual({
      AlarmSpecification: { Alarms: ['a'] },
      BakeTime: 300,
    });
    expect(alarmPreferences(settings({ rollbackAlarms: [], bakeTimeSeconds: 120 }))).toEqual({
      BakeTime: 120,
    });
    expect(bakeSeconds(settings({ rollbackAlarms: ['a'], bakeTimeSeconds: 0 }))).toBe(0);
  });
});

describe('can an alarm fire in the bake', () => {
  it('needs evaluation periods x period + the metric delay, the longest period of a math alarm', () => {
    expect(secondsToAlarm(metricAlarm({}))).toBe(180);
    expect(
      secondsToAlarm(
        metricAlarm({
          Period: undefined,
          EvaluationPeriods: 3,
          Metrics: [
            { Id: 'share', Expression: '100 * e / r' },
            { Id: 'e', MetricStat: { Metric: {}, Period: 60, Stat: 'Sum' } },
            { Id: 'r', MetricStat: { Metric: {}, Period: 120, Stat: 'Sum' } },
          ],
        }),
      ),
    ).toBe(420);
  });

  it('names every problem: too many, missing, in ALARM, too slow', () => {
    const names = Array.from({ length: 11 }, (_, i) => `a${i}`);
    const problems = alarmProblems(
      [...names, 'slow', 'firing'],
      {
        metric: [
          metricAlarm({ AlarmName: 'slow', EvaluationPeriods: 5, Period: 300 }),
          metricAlarm({ AlarmName: 'firing', StateValue: 'ALARM', StateReason: 'too many 5xx' }),
        ],
        composite: [],
      },
      300,
    );
    expect(problems).toEqual([
      '13 alarms named; AWS accepts at most 10 (AlarmSpecification)',
      `no such alarm in this region: ${names.join(', ')}`,
      'firing is in ALARM now (too many 5xx), so the refresh would fail at once',
      'slow needs 5 evaluation period(s) x 300 s + 60 s metric delay = 1560 s to reach ALARM, longer than the 300 s bake',
    ]);
    expect(alarmProblems(['web-5xx'], { metric: [metricAlarm({})], composite: [] }, 180)).toEqual([]);
  });

  it("reads the metric's recent values from the state reason data, and nothing from anything else", () => {
    expect(recentValues(JSON.stringify({ recentDatapoints: [12.5, 20] }))).toEqual([12.5, 20]);
    expect(recentValues('not json')).toBeUndefined();
    expect(recentValues(JSON.stringify({ recentDatapoints: ['x'] }))).toBeUndefined();
    expect(recentValues(undefined)).toBeUndefined();
  });
});

describe('the rollout timeline', () => {
  it('draws instances per release, the bake window and the alarm that fired', () => {
    const recorder = createTimelineRecorder(0, '3', '2');
    recorder.fleet(0, { '2': 2 });
    recorder.refresh(1000, 'InProgress');
    recorder.fleet(20_000, { '2': 1, '3': 1 });
    recorder.fleet(40_000, { '3': 2 });
    recorder.refresh(41_000, 'Baking');
    recorder.alarm(70_000, 'web-5xx', 'ALARM');
    recorder.refresh(71_000, 'RollbackInProgress');
    recorder.fleet(120_000, { '2': 2 });

    const chart = timelineMarkdown(recorder.snapshot());

    expect(chart).toContain('```mermaid\ngantt');
    expect(chart).toContain(
      'section Version 2 (previous release)\n    2 instances :0, 20\n    1 instance :20, 40\n    2 instances :120, 121',
    );
    expect(chart).toContain(
      'section Version 3 (new release)\n    1 instance :20, 40\n    2 instances :40, 120',
    );
    expect(chart).toContain('Baking (bake window) :active, 41, 71');
    expect(chart).toContain('web-5xx -#62; ALARM :crit, milestone, 70, 71');
  });

  it('lets no foreign name end a task, the chart or the fence', () => {
    expect(mermaidText('a:b;c#d\n```</x>')).toBe('a#58;b#59;c#35;d#10;#96;#96;#96;#60;/x#62;');
    expect(timelineMarkdown(undefined)).toBe('');
  });
});
