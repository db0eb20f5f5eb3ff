export type { RolloutDependencies } from './rolloutContext';
export { runRollout, type RolloutResult } from './run';
