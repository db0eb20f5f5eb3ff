import type { FailureDescription } from './description';

/** Release alarms watched by the instance refresh (AlarmSpecification) while it rolls and bakes. */
export const ALARM_FAILURES = {
  'alarm-rolled-back': {
    meaning:
      'a release alarm (`rollback-alarms`) went into ALARM while the refresh replaced instances or baked, and AWS rolled the release back: the previous release serves users again',
    whatToDo:
      'Read the alarm named in the message, its state reason and the metric values: the release hurts users (5xx answers, slow pages, unhealthy hosts) although it passed its health checks. Fix it and deploy again.',
    showsAppLog: true,
  },
  'alarm-failed': {
    meaning:
      'a release alarm went into ALARM during the refresh or its bake and AWS failed the refresh without rolling back (`auto-rollback: false`): the group may run a mix of releases',
    whatToDo:
      'Read the alarm named in the message and its metric values, then deploy the previous image (or fix the release and deploy again); consider `auto-rollback: true`.',
    showsAppLog: true,
  },
} as const satisfies Record<string, FailureDescription>;
