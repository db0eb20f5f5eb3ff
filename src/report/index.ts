/** The report stage: outputs and job summary Markdown (pure), and the runner adapter that writes them. */
export { imageOutputs, planOutputs, rolloutOutputs, terraformOutputs } from './outputs';
export { createActionsReporter, type Reporter } from './reporter';
export {
  deploySummary,
  failureMessage,
  failureSummary,
  planSummary,
  rolloutSummary,
  type DeployReport,
} from './summary';
