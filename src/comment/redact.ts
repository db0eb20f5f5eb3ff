/** What a redacted secret is replaced with; the same mask the runner's own log masking prints. */
export const REDACTED = '***';

/**
 * Lines of a multi-line secret shorter than this are not masked on their own: a line such as `{`
 * or `-----END KEY-----` carries no secret and would blank out ordinary text everywhere.
 */
const MIN_SECRET_LINE_LENGTH = 8;

function secretForms(secret: string): string[] {
  if (secret.trim() === '') return [];
  // The plan text shows strings in HCL/JSON quoting, where a quote or backslash gains an escape.
  const forms = [secret, JSON.stringify(secret).slice(1, -1)];
  if (/[\r\n]/.test(secret)) {
    forms.push(...secret.split(/\r?\n/).filter((line) => line.trim().length >= MIN_SECRET_LINE_LENGTH));
  }
  return forms;
}

/**
 * A function replacing every occurrence of each secret with `***`, its pattern compiled once for
 * the many texts of one comment. Longer forms are tried first, so a secret that contains another
 * one is masked whole rather than leaving pieces around the shorter.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

/** Replaces every occurrence of each secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets)(text);
}
