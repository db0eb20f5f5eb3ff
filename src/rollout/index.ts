export type { RolloutDependencies } from './context';
export { runRollout, type RolloutResult } from './run';
