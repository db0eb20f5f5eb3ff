/** The input parser: the action's inputs, validated together, as the config of one command. */
export { EMULATED_CLOCK_ANCHOR_VARIABLE, EMULATED_TIME_SCALE_VARIABLE } from './aws';
export {
  COMMANDS,
  type Command,
  type Config,
  type DeployConfig,
  type NamedGroup,
  type PlanConfig,
  type PreflightConfig,
  type PreflightPaths,
  type RolloutConfig,
  type ScaleTestConfig,
} from './commands';
export { parseConfig } from './config';
export { INPUT_DEFAULTS } from './defaults';
export { ConfigError, inspectPath, type ConfigPaths, type InputReader, type PathInfo } from './parser';
