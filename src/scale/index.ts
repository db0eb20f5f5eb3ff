/** The scale test: load the fleet's CPU, watch the alarm fire, the group scale out and serve. */
export { scaleTestOutputs, scaleTestSummary } from './report';
export { runScaleTest } from './run';
export { STRESS_DURATION_LIMITS, WORKERS_PER_VCPU_MAX, type ScaleTestSettings } from './settings';
export {
  ScaleTestFailure,
  type ScaleTestDependencies,
  type ScaleTestResult,
  type ScaleTestTarget,
} from './types';
