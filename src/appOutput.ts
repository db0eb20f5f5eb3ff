/**
 * What an app printed, made safe to show and read for known causes: shared by every stage that
 * shows app output (the rollout's CloudWatch excerpt, the preflight's container log).
 */

/** Longer lines are cut: one line of a stack dump must not fill the job log. */
export const APP_OUTPUT_LINE_LENGTH = 500;

const MASK = '***';
const SECRET_ASSIGNMENT =
  /\b([\w.-]*(?:secret|password|passwd|pwd|token|api[_-]?key|access[_-]?key|credential|private[_-]?key|authorization)[\w.-]*)(["']?\s*[:=]\s*["']?)(?:Bearer\s+|Basic\s+)?[^\s"',;}]+/gi;
const AUTHORIZATION_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;
const URL_CREDENTIALS = /(\w+:\/\/[^\s:/@]+:)[^\s@/]+@/g;

/**
 * One log line as it may be printed: known secret values and anything shaped like a credential
 * (key=value pairs whose name says secret, bearer tokens, AWS key ids, passwords in URLs) masked,
 * control characters dropped, length bounded.
 */
export function maskLogLine(line: string, knownSecrets: string[] = []): string {
  let masked = line;
  for (const secret of knownSecrets) if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  masked = masked
    .replace(SECRET_ASSIGNMENT, `$1$2${MASK}`)
    .replace(AUTHORIZATION_HEADER, `$1 ${MASK}`)
    .replace(AWS_ACCESS_KEY_ID, MASK)
    .replace(URL_CREDENTIALS, `$1${MASK}@`)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return masked.length > APP_OUTPUT_LINE_LENGTH
    ? `${masked.slice(0, APP_OUTPUT_LINE_LENGTH)}… (cut)`
    : masked;
}

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
