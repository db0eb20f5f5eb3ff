import type { FailureReason } from '../failures';

interface RefreshFailure {
  reason: FailureReason;
  nextSteps: string;
}

const REFRESH_FAILURES: Record<string, RefreshFailure> = {
  Failed: {
    reason: 'refresh-failed',
    nextSteps:
      'Read the target lines above for the reason codes. The group may now run a mix of old and new instances: fix the release and deploy again, or deploy the previous image to roll back.',
  },
  Cancelled: {
    reason: 'refresh-cancelled',
    nextSteps:
      'Someone or something cancelled it (the console, or another deploy with on-refresh-in-progress: cancel). Replaced instances stay replaced; run the deploy again to finish.',
  },
  RollbackSuccessful: {
    reason: 'rolled-back',
    nextSteps:
      'The new version did not become healthy, and AWS put the previous version back: users are served by the previous release. Fix the release (see the target reason codes above) and deploy again.',
  },
  RollbackFailed: {
    reason: 'rollback-failed',
    nextSteps:
      'Urgent: the new version failed and so did the rollback. Check the group in the EC2 console, then deploy the last good image (workflow_dispatch with its digest).',
  },
};

/** Success is an allow-list of one: any other final status, or none, fails and is named. */
export function refreshFailure(status: string): RefreshFailure | undefined {
  if (status === 'Successful') return undefined;
  return (
    REFRESH_FAILURES[status] ?? {
      reason: 'refresh-not-successful',
      nextSteps:
        'AWS reported a final status this action does not know as success. Check the refresh in the EC2 console (Auto Scaling groups -> Instance refresh) before deploying again.',
    }
  );
}
