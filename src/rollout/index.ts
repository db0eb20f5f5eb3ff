export type { RolloutDependencies } from './rolloutContext';
export { runRollout, type RolloutResult } from './run';
export {
  AWS_DEFAULT_CHECKPOINT_DELAY_SECONDS,
  AWS_INSTANCE_WAIT_SECONDS,
  AWS_MAX_REFRESH_ALARMS,
  IN_PROGRESS_POLICIES,
  SCALE_IN_PROTECTED_POLICIES,
  STANDBY_POLICIES,
  TIMEOUT_POLICIES,
  type InProgressPolicy,
  type RolloutOptions,
  type RolloutSettings,
  type RolloutTarget,
  type ScaleInProtectedPolicy,
  type StandbyPolicy,
  type TimeoutPolicy,
} from './settings';
