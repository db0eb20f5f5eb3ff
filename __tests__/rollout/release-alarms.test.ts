import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  alarmPreferences,
  alarmProblems,
  bakeSeconds,
  recentValues,
  secondsToAlarm,
} from '../../src/rollout/alarms';
import { refreshPreferences } from '../../src/rollout/refresh';
import type { RolloutSettings } from '../../src/rollout/settings';

const settings = (extra: Partial<RolloutSettings>) =>
  ({
    rollbackAlarms: undefined,
    bakeTimeSeconds: undefined,
    checkpointPercentages: [],
    ...extra,
  }) as RolloutSettings;

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
    // A refresh back to the previous release must not be stopped by the bad release's alarm.
    const undo = refreshPreferences(settings({ rollbackAlarms: ['a'] }), true);
    expect(undo.AlarmSpecification).toBeUndefined();
    expect(undo.BakeTime).toBeUndefined();
    expect(refreshPreferences(settings({ rollbackAlarms: ['a'] })).AlarmSpecification).toEqual({
      Alarms: ['a'],
    });
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
