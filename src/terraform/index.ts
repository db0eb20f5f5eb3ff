/** The Terraform stage: init, plan to a saved file, guard, apply exactly that file, read outputs. */
export {
  createTerraform,
  parseLockInfo,
  terraformError,
  terraformWarnings,
  type PlanRequest,
  type Terraform,
  type TerraformDependencies,
  type TerraformOptions,
  type TerraformPlan,
} from './cli';
export { isSensitiveBackendKey } from './backend';
export type { TerraformSettings } from './settings';
export { DEFAULT_PROTECTED_TYPES, destroyGuard, type DestroyGuardOptions } from './guard';
export {
  readDeployedImage,
  readOutputs,
  readStackOutputs,
  type StackOutputs,
  type TerraformOutputs,
} from './outputs';
export { reviewPlan, SHORT_SENSITIVE_LENGTH, type PlanReview, type TextChange } from './review';
export { describeCounts, summarizePlan } from './summary';
export type { BoundChange, BoundPlan } from './binding';
export type {
  ChangeAction,
  CheckResult,
  DeferredChange,
  OutputChange,
  PlanCounts,
  PlanSummary,
  ResourceChange,
} from './types';
