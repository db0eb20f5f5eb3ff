import type { FailureDescription } from './description';

/** Preflight (deploy, preflight): the image run as the instances will, before any push or plan. */
export const PREFLIGHT_FAILURES = {
  'preflight-app-exited': {
    meaning:
      "preflight: the container exited at start or during the checks, under the instances' flags (read-only root, 64 MB noexec `/tmp`, no capabilities); nothing was pushed or planned",
    whatToDo:
      "Read the app's output printed above it; the [app contract](#the-app-contract) says what each symptom means.",
    showsAppLog: false,
  },
  'preflight-not-listening': {
    meaning:
      'preflight: nothing answered the health path on port 8000 within 60 s (often gunicorn bound to 127.0.0.1)',
    whatToDo: 'Bind gunicorn to 0.0.0.0:8000: `bind = ["0.0.0.0:8000"]` in gunicorn.conf.py.',
    showsAppLog: false,
  },
  'preflight-health-failed': {
    meaning:
      'preflight: the health path did not answer 2xx to the private-IP `Host` (400: host validation runs before it)',
    whatToDo: 'Answer the health path in a middleware placed first in `MIDDLEWARE`.',
    showsAppLog: false,
  },
  'preflight-commit-missing': {
    meaning: "preflight: the health answer is not JSON carrying the image's commit",
    whatToDo: 'Report the `REVISION` build argument as `"commit"` in the health JSON.',
    showsAppLog: false,
  },
  'preflight-page-failed': {
    meaning:
      'preflight: `smoke-app-path` did not answer 2xx to the public `Host` after at most 5 same-site redirects',
    whatToDo:
      'Point `smoke-app-path` at a page that answers 2xx; redirects must stay on the site over plain HTTP.',
    showsAppLog: false,
  },
  'preflight-not-run': {
    meaning: 'preflight: docker could not start the image (not pullable, not runnable here)',
    whatToDo: "Log in to the image's registry before the step, or set `preflight: false`.",
    showsAppLog: false,
  },
} as const satisfies Record<string, FailureDescription>;
