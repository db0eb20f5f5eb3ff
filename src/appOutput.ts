/**
 * What an app's own output gives away about why it failed: read by every stage that shows app
 * output (the preflight's container log, the rollout's CloudWatch excerpt of the failing
 * instances); masking lives in src/mask.ts.
 */

/** A cause the app's own words give away, and its fix. */
export interface KnownCause {
  cause:
    'read-only-root' | 'loopback-bind' | 'host-validation' | 'import-error' | 'noexec-tmp' | 'certificate';
  pattern: RegExp;
  hint: string;
}

const KNOWN_CAUSES: KnownCause[] = [
  {
    cause: 'read-only-root',
    pattern: /read-only file system|unable to open database file|attempt to write a readonly database/i,
    hint: 'The app writes under its read-only root filesystem (often SQLite’s default file beside the code): write only to /tmp (a small noexec tmpfs), and keep data in a database set through DATABASE_URL.',
  },
  {
    cause: 'loopback-bind',
    pattern: /listening at: https?:\/\/(127\.0\.0\.1|localhost)[:/]/i,
    hint: 'gunicorn is bound to 127.0.0.1, which the published port cannot reach: bind 0.0.0.0:8000 (bind = ["0.0.0.0:8000"] in gunicorn.conf.py).',
  },
  {
    cause: 'host-validation',
    pattern: /invalid http_host header|disallowedhost/i,
    hint: 'Django’s host validation rejected the health check’s private-IP Host: answer the health path in a middleware placed first in MIDDLEWARE (see app/web/middleware.py); DJANGO_ALLOWED_HOSTS cannot list every private IP.',
  },
  {
    cause: 'import-error',
    pattern: /\b(ModuleNotFoundError|ImportError)\b/,
    hint: 'An import failed at start: add the missing package to the requirements the image installs, or fix the module path (the WSGI application, INSTALLED_APPS).',
  },
  {
    cause: 'noexec-tmp',
    pattern:
      /failed to map segment from shared object|exec format error.*\/tmp|\/tmp\/\S+: permission denied/i,
    hint: 'Something executes a file from /tmp, which is mounted noexec: ship executables in the image instead.',
  },
  {
    cause: 'certificate',
    pattern:
      /certificate verify failed|x509: certificate|CERTIFICATE_VERIFY_FAILED|self[- ]signed certificate/i,
    hint: 'A TLS certificate was not trusted: trust the private CA that signed it on the runner (and in the image, if the app makes the call).',
  },
];

/** The causes the app's output points at, each once, in the order of the list above. */
export function causesInAppOutput(lines: readonly string[]): KnownCause[] {
  return KNOWN_CAUSES.filter(({ pattern }) => lines.some((line) => pattern.test(line)));
}
