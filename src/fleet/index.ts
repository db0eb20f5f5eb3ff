/**
 * The fleet's read model, shared by the rollout and the scale test: the Auto Scaling group as AWS
 * describes it, and its instances' health in their target groups.
 */
export {
  describeGroup,
  isGroupOnVersion,
  resolveTargetVersion,
  runsTarget,
  upToDateInstanceIds,
  type GroupInstance,
  type GroupSnapshot,
  type LaunchTarget,
} from './group';
export {
  describeNotHealthy,
  describeTargets,
  evaluateTargets,
  reasonHint,
  type TargetExpectation,
  type TargetState,
  type TargetVerdict,
} from './targets';
