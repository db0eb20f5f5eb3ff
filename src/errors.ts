import type { FailureReason } from './failures';
import type { RolloutTimeline } from './timeline';

/**
 * A failure the action understands: `reason` is a stable code from the failure catalogue, for the
 * `failure-reason` output and for scripts; `nextSteps` tells the person reading the log what to do about it.
 */
export class DeployError extends Error {
  /** A failed rollout's timeline, drawn in the job summary. */
  timeline: RolloutTimeline | undefined;

  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly nextSteps: string,
    /**
     * Outputs that carry the failure's facts, set beside failure-reason: a rollout's final refresh
     * status, or `release-live` when a check failed after a successful refresh.
     */
    readonly outputs: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DeployError';
  }

  /**
   * Instances a failed rollout saw fail (AWS took them out after failed health checks), most telling
   * first: whose app log the failure shows. Set by the rollout; never parsed out of AWS's text.
   */
  failingInstanceIds: string[] = [];

  /**
   * Whether this run's release serves users despite the failure: true after a check failed behind a
   * successful refresh, false once such a failure rolled the group back; undefined elsewhere.
   */
  get releaseLive(): boolean | undefined {
    const live = this.outputs['release-live'];
    return live === undefined ? undefined : live === 'true';
  }

  /** The same failure with other advice (what the app's own output names goes first). */
  withNextSteps(nextSteps: string): DeployError {
    const copy = new DeployError(this.reason, this.message, nextSteps, this.outputs);
    copy.timeline = this.timeline;
    copy.failingInstanceIds = this.failingInstanceIds;
    return copy;
  }
}

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** Errors worth waiting out while polling: throttling, AWS-side 5xx and dropped connections. */
export function transientErrorKind(error: unknown): 'throttling' | 'server' | 'network' | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as SdkErrorShape;
  if ((typeof shape.name === 'string' && THROTTLING_NAMES.has(shape.name)) || shape.$retryable?.throttling) {
    return 'throttling';
  }
  const status = shape.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'server';
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return 'network';
  if (shape.name === 'TimeoutError') return 'network';
  return undefined;
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
