/** The preflight stage: the built image, run as the instances will, against the app contract. */
export { CONTRACT, STARTUP_TIMEOUT_SECONDS, type ContractItem, type PreflightSettings } from './contract';
export { runPreflight, type PreflightDependencies } from './run';
