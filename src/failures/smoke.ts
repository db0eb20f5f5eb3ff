import type { FailureDescription } from './description';

/** Smoke check (deploy, rollout). */
export const SMOKE_FAILURES = {
  'no-load-balancer': {
    meaning: 'the target group is attached to no load balancer, so there is no URL to smoke-check',
    whatToDo: 'Attach it to a listener (the bundled stack does), set `app-url`, or set `smoke-check: false`.',
    showsAppLog: false,
  },
  'smoke-failed': {
    meaning: 'targets healthy, but the public health URL never answered 200 (or a later answer failed)',
    whatToDo: 'Check listener rules, DNS and security groups, or set `app-url` to the URL users reach.',
    showsAppLog: true,
  },
  'smoke-wrong-release': {
    meaning:
      'the health answers report another commit than the deployed one, or disagree: an old instance is still in rotation',
    whatToDo: 'Read the target lines; check that the listener forwards only to this group.',
    showsAppLog: false,
  },
  'smoke-no-commit': {
    meaning: 'the health answer does not say which commit it runs',
    whatToDo: 'Serve `{"version", "commit"}` on the health path (the bundled app does).',
    showsAppLog: false,
  },
  'smoke-answer-cut': {
    meaning:
      'the health answer was larger than 64 KiB or did not finish within 5 s, so it was not read further and the commit it reports is unknown',
    whatToDo:
      'Make the health path answer small JSON quickly; check that `smoke-path` names it and that nothing in front of the app answers instead.',
    showsAppLog: false,
  },
  'smoke-app-failed': {
    meaning:
      '`smoke-app-path` did not answer 2xx with the public Host, after at most 5 redirects on the same site; the refresh had succeeded, so the release is live unless `rollback-on-check-failure` rolled it back (`release-live` output)',
    whatToDo:
      'The message names the cause: on 400, the app must read `DJANGO_ALLOWED_HOSTS` and it must list the host; on a redirect to HTTPS, set `SECURE_PROXY_SSL_HEADER` (or use the `https://` URL as `app-url`); on a redirect to another site or a loop, point `smoke-app-path` at a page the site serves itself.',
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
