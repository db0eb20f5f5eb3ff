/**
 * Release alarms: the CloudWatch alarms the instance refresh watches (AlarmSpecification) while it
 * replaces instances and while it bakes (BakeTime). Before the refresh starts they are checked (they
 * exist, none is in ALARM, AWS's limit, and each can reach ALARM inside the bake); while it runs,
 * each state change is logged; when AWS fails or rolls the refresh back while one is in ALARM, the
 * failure names it with its state reason and the metric's recent values.
 */
import { DescribeAlarmsCommand, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { RefreshPreferences } from '@aws-sdk/client-auto-scaling';
import { DeployError } from '../errors';
import { formatDuration } from '../log';
import type { RolloutContext } from './rolloutContext';
import { AWS_MAX_REFRESH_ALARMS, type RolloutSettings } from './settings';
import type { RefreshState } from './refresh';

/** BakeTime when rollback alarms are given and bake-time-seconds is not: room for 2-minute alarms. */
export const DEFAULT_BAKE_SECONDS_WITH_ALARMS = 300;
/**
 * How late an AWS service metric's datapoint reaches CloudWatch after its minute ends: load
 * balancer metrics are one-minute datapoints, published after the minute closes. Not a documented
 * bound: a margin so an alarm judged able to fire can fire in practice.
 */
export const METRIC_DELAY_SECONDS = 60;

export interface AlarmView {
  name: string;
  state: string;
  stateReason: string;
  /** The metric's most recent values, from the alarm's state reason data (recentDatapoints). */
  recentValues: number[] | undefined;
}

export interface FiredAlarm extends AlarmView {
  /** ms since the rollout started. */
  atMs: number;
}

/** The alarms this refresh is started with: the input, or none. */
export function rollbackAlarmNames(settings: RolloutSettings): string[] {
  return settings.rollbackAlarms ?? [];
}

/** BakeTime sent to AWS: the input, else 300 s with alarms (so they can fire) and none without. */
export function bakeSeconds(settings: RolloutSettings): number {
  if (settings.bakeTimeSeconds !== undefined) return settings.bakeTimeSeconds;
  return rollbackAlarmNames(settings).length > 0 ? DEFAULT_BAKE_SECONDS_WITH_ALARMS : 0;
}

/** The AlarmSpecification and BakeTime preferences, only when there is something to send. */
export function alarmPreferences(
  settings: RolloutSettings,
): Pick<RefreshPreferences, 'AlarmSpecification' | 'BakeTime'> {
  const alarms = rollbackAlarmNames(settings);
  const bake = bakeSeconds(settings);
  return {
    ...(alarms.length > 0 ? { AlarmSpecification: { Alarms: alarms } } : {}),
    ...(bake > 0 ? { BakeTime: bake } : {}),
  };
}

/** The longest period the alarm evaluates: its own, or for metric math the longest of its metrics. */
function alarmPeriodSeconds(alarm: MetricAlarm): number | undefined {
  if (alarm.Period) return alarm.Period;
  const periods = (alarm.Metrics ?? [])
    .map((query) => query.MetricStat?.Period ?? query.Period)
    .filter((period): period is number => typeof period === 'number');
  return periods.length > 0 ? Math.max(...periods) : undefined;
}

/**
 * Seconds from the first bad datapoint until the alarm can be in ALARM: its evaluation periods
 * times its period, plus the metric's delay. Undefined when the alarm declares no period.
 */
export function secondsToAlarm(alarm: MetricAlarm): number | undefined {
  const period = alarmPeriodSeconds(alarm);
  if (period === undefined) return undefined;
  return (alarm.EvaluationPeriods ?? 1) * period + METRIC_DELAY_SECONDS;
}

/** `recentDatapoints` of CloudWatch's state reason data; undefined when absent or not that shape. */
export function recentValues(reasonData: string | undefined): number[] | undefined {
  if (!reasonData) return undefined;
  try {
    const parsed: unknown = JSON.parse(reasonData);
    const values = (parsed as { recentDatapoints?: unknown }).recentDatapoints;
    return Array.isArray(values) && values.every((value) => typeof value === 'number') ? values : undefined;
  } catch {
    return undefined;
  }
}

function toView(alarm: MetricAlarm | CompositeAlarm): AlarmView {
  return {
    name: alarm.AlarmName ?? '',
    state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
    stateReason: alarm.StateReason ?? '',
    recentValues: recentValues(alarm.StateReasonData),
  };
}

async function describeAlarms(context: RolloutContext, names: string[]) {
  const response = await context.clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  return { metric: response.MetricAlarms ?? [], composite: response.CompositeAlarms ?? [] };
}

/** What is wrong with the alarms for this bake, one line each; empty when they can be used. */
export function alarmProblems(
  names: string[],
  found: { metric: MetricAlarm[]; composite: CompositeAlarm[] },
  bake: number,
): string[] {
  const problems: string[] = [];
  if (names.length > AWS_MAX_REFRESH_ALARMS) {
    problems.push(
      `${names.length} alarms named; AWS accepts at most ${AWS_MAX_REFRESH_ALARMS} (AlarmSpecification)`,
    );
  }
  const all = [...found.metric, ...found.composite];
  const known = new Set(all.map((alarm) => alarm.AlarmName));
  const missing = names.filter((name) => !known.has(name));
  if (missing.length > 0) problems.push(`no such alarm in this region: ${missing.join(', ')}`);
  for (const alarm of all.filter((item) => item.StateValue === 'ALARM')) {
    problems.push(
      `${alarm.AlarmName ?? ''} is in ALARM now (${alarm.StateReason ?? 'no reason'}), so the refresh would fail at once`,
    );
  }
  for (const alarm of found.metric) {
    const needs = secondsToAlarm(alarm);
    if (needs === undefined || needs <= bake) continue;
    problems.push(
      `${alarm.AlarmName ?? ''} needs ${alarm.EvaluationPeriods ?? 1} evaluation period(s) x ${alarmPeriodSeconds(alarm) ?? 0} s + ${METRIC_DELAY_SECONDS} s metric delay = ${needs} s to reach ALARM, longer than the ${bake} s bake`,
    );
  }
  return problems;
}

/**
 * Before the refresh starts: every alarm exists, none is in ALARM, at most AWS's limit, and each
 * can reach ALARM within the bake; otherwise `invalid-input` naming both inputs, nothing changed.
 */
export async function checkRollbackAlarms(context: RolloutContext): Promise<void> {
  const names = rollbackAlarmNames(context.settings);
  if (names.length === 0) return;
  const bake = bakeSeconds(context.settings);
  const found = names.length > 100 ? { metric: [], composite: [] } : await describeAlarms(context, names);
  const problems = alarmProblems(names, found, bake);
  if (bake >= context.settings.waitTimeoutSeconds) {
    problems.push(
      `the ${bake} s bake does not fit in wait-timeout-minutes (${context.settings.waitTimeoutSeconds / 60} min): the refresh could not succeed before the wait ends`,
    );
  }
  if (problems.length > 0) {
    throw new DeployError(
      'invalid-input',
      `rollback-alarms and bake-time-seconds (${bake} s) cannot guard this refresh:\n  ${problems.join('\n  ')}`,
      'Name existing alarms that are not in ALARM (at most 10) and a bake-time-seconds long enough for each to fire (evaluation periods x period + 60 s); or set rollback-alarms: none. Nothing was changed.',
    );
  }
  context.progress(
    `release alarms watched by the refresh: ${names.join(', ')}; bake ${formatDuration(bake * 1000)} after the last replacement`,
  );
}

/**
 * Follows the refresh's alarms: one DescribeAlarms per refresh read, a log line per state change,
 * and the first alarm seen in ALARM kept for the failure.
 */
export function createAlarmWatch(
  context: RolloutContext,
  names: string[],
  onChange?: (view: AlarmView) => void,
) {
  const states = new Map<string, string>();
  let fired: FiredAlarm | undefined;
  async function read(): Promise<void> {
    if (names.length === 0) return;
    const found = await describeAlarms(context, names);
    for (const view of [...found.metric, ...found.composite].map(toView)) {
      const before = states.get(view.name);
      if (before === view.state) continue;
      states.set(view.name, view.state);
      context.progress(
        `alarm ${view.name}: ${before ? `${before} -> ` : ''}${view.state} (${view.stateReason})`,
      );
      if (before !== undefined || view.state === 'ALARM') onChange?.(view);
      if (view.state === 'ALARM' && !fired)
        fired = { ...view, atMs: context.clock.now() - context.startedAt };
    }
  }
  return { read, fired: () => fired };
}

export type AlarmWatch = ReturnType<typeof createAlarmWatch>;

function valuesText(values: number[] | undefined): string {
  if (!values || values.length === 0) return 'no recent datapoints in its state reason data';
  return `recent values ${values.map((value) => Number(value.toPrecision(4))).join(', ')}`;
}

/**
 * The failure for a refresh AWS ended because an alarm fired: RollbackSuccessful is
 * `alarm-rolled-back`, Failed is `alarm-failed`; any other end, or no alarm seen in ALARM, is not
 * an alarm's doing (undefined). The alarms are read once more first: one may have fired since the
 * last poll.
 */
export async function alarmFailure(
  context: RolloutContext,
  watch: AlarmWatch | undefined,
  ended: RefreshState,
): Promise<DeployError | undefined> {
  const reason =
    ended.status === 'RollbackSuccessful'
      ? 'alarm-rolled-back'
      : ended.status === 'Failed'
        ? 'alarm-failed'
        : undefined;
  if (!watch || !reason) return undefined;
  if (!watch.fired()) await watch.read();
  const fired = watch.fired();
  if (!fired) return undefined;
  const outcome =
    reason === 'alarm-rolled-back'
      ? 'AWS rolled the release back: the previous release serves users again'
      : 'AWS failed the refresh without rolling back (auto-rollback: false): the group may run both releases';
  return new DeployError(
    reason,
    `Release alarm ${fired.name} went into ALARM ${formatDuration(fired.atMs)} into the rollout, while refresh ${ended.id} was rolling or baking; ${outcome}. Alarm state reason: ${fired.stateReason || 'none given'}; ${valuesText(fired.recentValues)}.`,
    reason === 'alarm-rolled-back'
      ? 'The release passed its health checks but hurt users (see the alarm). Reproduce it under load, fix it and deploy again.'
      : 'Deploy the previous image now (workflow_dispatch with its digest), then fix the release.',
  );
}
