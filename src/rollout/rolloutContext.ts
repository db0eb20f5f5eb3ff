import type { AwsClients } from '../aws';
import type { RolloutSettings } from './settings';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { startRunClock, type RunClock } from '../runClock';
import type { RefreshState } from './refresh';
import type { AlarmWatch } from './alarms';
import type { TimelineRecorder } from '../timeline';

export interface RolloutDependencies {
  clients: AwsClients;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** Everything a rollout step needs, built once per rollout by `runRollout`. */
export interface RolloutContext extends RunClock {
  clients: AwsClients;
  settings: RolloutSettings;
  region: string;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  /** Aborts every wait (the job was cancelled). */
  signal?: AbortSignal;
  /** The last state AWS described for a refresh this rollout waited on: what a failure reports. */
  lastRefresh: RefreshState | undefined;
  /** The release alarms of the refresh this rollout started, read with every refresh read. */
  alarmWatch: AlarmWatch | undefined;
  /** What the job summary draws: set once this rollout starts its refresh. */
  timeline: TimelineRecorder | undefined;
}

export function createContext(
  dependencies: RolloutDependencies,
  settings: RolloutSettings,
  region: string,
): RolloutContext {
  const runClock = startRunClock(dependencies, {
    intervalSeconds: settings.pollIntervalSeconds,
    timeoutSeconds: settings.waitTimeoutSeconds,
  });
  return {
    ...dependencies,
    ...runClock,
    settings,
    region,
    lastRefresh: undefined,
    alarmWatch: undefined,
    timeline: undefined,
  };
}
