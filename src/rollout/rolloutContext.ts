import type { AwsClients } from '../aws';
import type { RolloutSettings } from './settings';
import type { Clock } from '../clock';
import { formatDuration, type Logger } from '../log';
import { poll, type PollStep } from '../poll';
import type { RefreshState } from './refresh';

export interface RolloutDependencies {
  clients: AwsClients;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** Everything a rollout step needs, built once per rollout by `runRollout`. */
export interface RolloutContext {
  clients: AwsClients;
  settings: RolloutSettings;
  region: string;
  log: Logger;
  clock: Clock;
  fetch: typeof fetch;
  /** Logs a state-change line prefixed with the time since the rollout started. */
  progress(line: string): void;
  /**
   * The shared poller, bound to this rollout's interval, deadline and abort signal; a check may
   * ask for its next turn sooner or later than the interval (`nextInMs`).
   */
  poll<T>(what: string, check: () => Promise<PollStep<T>>, firstCheckInMs?: number): Promise<T>;
  /** The last state AWS described for a refresh this rollout waited on: what a failure reports. */
  lastRefresh: RefreshState | undefined;
}

export function createContext(
  dependencies: RolloutDependencies,
  settings: RolloutSettings,
  region: string,
): RolloutContext {
  const { clock, log } = dependencies;
  const startedAt = clock.now();
  const deadline = startedAt + settings.waitTimeoutSeconds * 1000;
  return {
    ...dependencies,
    settings,
    region,
    lastRefresh: undefined,
    progress: (line) => {
      log.info(`[${formatDuration(clock.now() - startedAt).padStart(6)}] ${line}`);
    },
    poll: (what, check, firstCheckInMs) =>
      poll(check, {
        what,
        intervalMs: settings.pollIntervalSeconds * 1000,
        deadline,
        clock,
        ...(firstCheckInMs === undefined ? {} : { firstCheckInMs }),
        ...(dependencies.signal ? { signal: dependencies.signal } : {}),
        onTransientError: (kind, message, nextInMs) => {
          log.warning(
            `AWS ${kind} error while waiting for ${what}: ${message}; retrying in ${formatDuration(nextInMs)}`,
          );
        },
      }),
  };
}
