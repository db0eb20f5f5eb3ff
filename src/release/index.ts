/**
 * The release phase of `deploy` (the migrations), between Terraform apply and the rollout:
 *
 * - `runReleasePhase`: on any InService instance of the group, the compatibility check, then the
 *   migration; a failure throws a DeployError before any instance is replaced.
 * - It runs nothing when the group has no InService instance yet (a stack's first deploy, or a
 *   group at zero): `runReleasePhaseOnFirstInstance` then waits for the first one to come InService
 *   and migrates there, before the rollout's health checks and smoke check. Its container may be
 *   refusing to start for lack of that very migration; the instance is InService and reachable by
 *   SSM all the same, so this cannot deadlock against the app's start-time check.
 * - `runReleaseForDeploy`: both, in that order.
 */
export {
  findInServiceInstance,
  runReleaseForDeploy,
  runReleasePhase,
  runReleasePhaseOnFirstInstance,
  type ReleaseDependencies,
  type ReleaseResult,
  type ReleaseTarget,
} from './run';
export type { ReleaseSettings } from './settings';
