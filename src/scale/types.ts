import type { AwsClients } from '../aws';
import type { Clock } from '../clock';
import { DeployError } from '../errors';
import type { Logger } from '../log';
import type { Milestones } from './timeline';

export interface ScaleTestDependencies {
  clients: AwsClients;
  log: Logger;
  clock: Clock;
  /** Aborted when the job is cancelled: the load is stopped before the run ends. */
  signal?: AbortSignal;
}

/** Which stack to test: from the Terraform outputs, or a group named by the inputs. */
export interface ScaleTestTarget {
  asgName: string;
  /** Empty: the group's own target groups. */
  targetGroupArns: string[];
  /** Undefined: the group's only CPU target tracking policy. */
  policyName: string | undefined;
  /** Where the instances' app logs are (stack output app_log_group), for a failure's excerpt. */
  appLogGroup: string | undefined;
}

export interface ScaleTestResult {
  asgName: string;
  commandId: string | undefined;
  instanceIds: string[];
  policyName: string;
  alarmName: string;
  targetValue: number;
  capacityBefore: number;
  /** The most capacity the group asked for during the test. */
  capacityAfter: number;
  peakCpu: number | undefined;
  milestones: Milestones;
  timeline: string[];
  seconds: number;
}

/** A scale test that failed after it started: the error, plus what it saw, for outputs and summary. */
export class ScaleTestFailure extends DeployError {
  constructor(
    error: DeployError,
    readonly result: ScaleTestResult,
  ) {
    super(error.reason, error.message, error.nextSteps);
  }
}
