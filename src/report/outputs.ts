/** The action's outputs of each stage's result, as the names action.yml declares. */
import type { ImageResult } from '../image';
import type { RolloutResult } from '../rollout';
import type { PlanSummary, StackOutputs } from '../terraform';

export function rolloutOutputs(result: RolloutResult): Record<string, string | number> {
  return {
    'refresh-id': result.refreshId ?? '',
    'refresh-status': result.refreshStatus,
    'healthy-targets': result.healthyTargets,
    'rollout-seconds': result.seconds,
    'launch-template-version': result.targetVersion,
    'release-live': 'true',
  };
}

export function imageOutputs(image: ImageResult): Record<string, string> {
  return { image: image.reference, 'image-digest': image.digest };
}

/** Counts as Terraform words them, plus the fingerprint the approved-plan check compares. */
export function planOutputs(summary: PlanSummary): Record<string, string> {
  const { add, change, destroy, replace, fingerprint } = summary;
  return {
    'plan-has-changes': String(summary.hasChanges),
    'plan-summary': JSON.stringify({ add, change, destroy, replace, fingerprint }),
  };
}

export function terraformOutputs(stack: StackOutputs): Record<string, string> {
  return { 'alb-dns-name': stack.albDnsName, 'app-url': stack.appUrl };
}
