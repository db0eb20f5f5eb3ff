import type { AwsClients } from '../aws';
import type { RolloutSettings } from '../config';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import type { PollStep } from '../poll';
import type { RefreshState } from './refresh';

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
  /** The shared poller, bound to this rollout's interval, deadline and abort signal. */
  poll<T>(what: string, check: () => Promise<PollStep<T>>): Promise<T>;
  /** The last state AWS described for a refresh this rollout waited on: what a failure reports. */
  lastRefresh: RefreshState | undefined;
}
