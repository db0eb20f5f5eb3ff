import { RELEASE_INPUT_DEFAULTS } from '../release/settings';
import { DEFAULT_PROTECTED_TYPES } from '../terraform';

/**
 * Defaults for every optional input. They live here, not only in action.yml, because a local run
 * through `node dist/index.js` gets no defaults from the runner; a test keeps both in step.
 */
export const INPUT_DEFAULTS = {
  command: 'deploy',
  'build-context': 'app',
  'lock-timeout': '5m',
  'allow-destroy': 'false',
  'protected-resource-types': DEFAULT_PROTECTED_TYPES.join(', '),
  'comment-on-pr': 'true',
  'require-approved-plan': 'false',
  'min-healthy-percentage': '100',
  'max-healthy-percentage': '200',
  'skip-matching': 'true',
  'auto-rollback': 'true',
  'on-refresh-in-progress': 'wait',
  'on-timeout': 'rollback',
  'force-refresh': 'false',
  'wait-timeout-minutes': '30',
  'poll-interval-seconds': '5',
  'smoke-path': '/health/',
  'smoke-check': 'true',
  'allow-image-outside-repository': 'false',
  'scale-in-protected-instances': 'Refresh',
  'standby-instances': 'Ignore',
  'smoke-app-path': '/',
  'rollback-on-check-failure': 'false',
  'stress-duration-seconds': '600',
  'stress-workers-per-vcpu': '1',
  'scale-test-timeout-minutes': '20',
  'wait-for-scale-in': 'false',
  preflight: 'true',
  ...RELEASE_INPUT_DEFAULTS,
} as const satisfies Record<string, string>;
