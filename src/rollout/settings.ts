/** The rollout's own settings: what the inputs ask of an instance refresh and its waits. */

export const IN_PROGRESS_POLICIES = ['wait', 'cancel', 'fail'] as const;
export type InProgressPolicy = (typeof IN_PROGRESS_POLICIES)[number];

export const TIMEOUT_POLICIES = ['rollback', 'cancel', 'none'] as const;
export type TimeoutPolicy = (typeof TIMEOUT_POLICIES)[number];

/** AWS's ScaleInProtectedInstances values; AWS's own default, Wait, waits an hour and then fails. */
export const SCALE_IN_PROTECTED_POLICIES = ['Refresh', 'Ignore', 'Wait'] as const;
export type ScaleInProtectedPolicy = (typeof SCALE_IN_PROTECTED_POLICIES)[number];

/** AWS's StandbyInstances values; AWS's own default, Wait, waits an hour and then fails. */
export const STANDBY_POLICIES = ['Terminate', 'Ignore', 'Wait'] as const;
export type StandbyPolicy = (typeof STANDBY_POLICIES)[number];

/** How long AWS waits for protected or Standby instances under `Wait` before failing the refresh. */
export const AWS_INSTANCE_WAIT_SECONDS = 3600;
/** "You can specify up to 10 alarms" (Auto Scaling API reference, AlarmSpecification). */
export const AWS_MAX_REFRESH_ALARMS = 10;
/** AWS's CheckpointDelay when CheckpointPercentages is given without one. */
export const AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS = 3600;

/** How to roll: the same for `rollout` and for the rollout `deploy` ends with. */
export interface RolloutOptions {
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  instanceWarmupSeconds: number | undefined;
  skipMatching: boolean;
  autoRollback: boolean;
  checkpointPercentages: number[];
  checkpointDelaySeconds: number | undefined;
  onRefreshInProgress: InProgressPolicy;
  onTimeout: TimeoutPolicy;
  forceRefresh: boolean;
  waitTimeoutSeconds: number;
  pollIntervalSeconds: number;
  smokePath: string;
  /** Base URL for the smoke check; undefined means http://<the target group's ALB DNS name>. */
  appUrl: string | undefined;
  smokeCheck: boolean;
  /** When a check after a successful refresh fails: refresh back to the previous version (true), or leave the release live. */
  rollbackOnCheckFailure: boolean;
  scaleInProtectedInstances: ScaleInProtectedPolicy;
  standbyInstances: StandbyPolicy;
  /** A real page of the app, requested with the public Host, that must answer 2xx. */
  smokeAppPath: string;
  /** CloudWatch Logs group of the instances' app logs, shown on a failed rollout; undefined: the stack's app_log_group output. */
  appLogGroup: string | undefined;
  /**
   * CloudWatch alarms the refresh watches (AlarmSpecification); any in ALARM fails it (and rolls it
   * back with auto-rollback). undefined: the stack's release_alarm_names (deploy), or none.
   */
  rollbackAlarms: string[] | undefined;
  /** AWS BakeTime; undefined: 300 s when there are rollback alarms, else none. */
  bakeTimeSeconds: number | undefined;
}

/**
 * Which group to roll, onto what: `rollout` takes it from its inputs, `deploy` from the stack it
 * applied and the image it deployed.
 */
export interface RolloutTarget {
  asgName: string;
  /** Empty means: use the target groups attached to the Auto Scaling group. */
  targetGroupArns: string[];
  /** Undefined means: the launch template's latest version, resolved to its number at run time. */
  launchTemplateVersion: number | undefined;
  /**
   * The commit every smoke-check answer must report. `rollout` takes it from expected-commit;
   * `deploy` from the image (the build's GITHUB_SHA, or an existing image's revision label).
   */
  expectedCommit: string | undefined;
}

export type RolloutSettings = RolloutOptions & RolloutTarget;
