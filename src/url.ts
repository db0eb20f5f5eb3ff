/** What a base URL (the app-url input, the stack's app_url output) may be, for error messages. */
export const BASE_URL_EXPECTED =
  'expected an http:// or https:// URL with a host and an optional port (1-65535) and path, without user:password, query or fragment';

/**
 * An http(s) base URL without its trailing slashes, or undefined for anything else: parsed here
 * so a bad port or host fails as a named value and not later as a TypeError. No user:password part
 * (it would be printed with the URL), query or fragment (paths are appended to it).
 */
export function parseBaseUrl(value: string): string | undefined {
  const parsed = parseHttpUrl(value);
  const usable =
    parsed !== undefined &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.search === '' &&
    parsed.hash === '' &&
    !value.includes('@') &&
    (parsed.port === '' || Number(parsed.port) > 0);
  return usable ? `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '') : undefined;
}

/** The URL when it parses and is http(s), else undefined. */
export function parseHttpUrl(value: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
}
