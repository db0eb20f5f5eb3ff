/**
 * Masking of text the action did not write (an app's log lines, a one-off container's output)
 * before it is printed: shared by every stage that prints such lines.
 */

const MASK = '***';

/** How long one printed line of foreign output may be before it is cut. */
export const FOREIGN_LINE_LENGTH = 500;

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
  return masked.length > FOREIGN_LINE_LENGTH ? `${masked.slice(0, FOREIGN_LINE_LENGTH)}… (cut)` : masked;
}

/**
 * How the action hides a secret from the job log: `register` (core.setSecret, which prints
 * `::add-mask::<value>`) on a runner only. Off a runner (GITHUB_ACTIONS is not "true": a local
 * `node dist/index.js`, a script) nothing reads that command, so printing it would only show the
 * secret in clear.
 */
export function secretMasker(
  env: NodeJS.ProcessEnv,
  register: (value: string) => void,
): (value: string) => void {
  return env.GITHUB_ACTIONS === 'true' ? register : () => undefined;
}
