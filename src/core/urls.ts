/**
 * Addresses that clients put in pages (a profile's picture): an http or https URL that names a
 * host, and that no page can mistake for markup or another address.
 */

/**
 * Characters an address as sent must not hold: controls and invisible format characters, spaces,
 * quotes, angle brackets, backquotes and backslashes. Checked on the raw text, because the URL
 * parser "repairs" some of them (a backslash becomes a slash, a quote is percent-encoded) and the
 * text is stored as sent.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{White_Space}"'<>`\\]/u;
/** The scheme, then an authority: `http:///etc` would be parsed with the host `etc`. */
const HTTP_PREFIX = /^https?:\/\/[^/]/i;

/** An http or https URL with a host, no credentials, and nothing unsafe in it as written. */
export function isHttpUrl(text: string): boolean {
  if (UNSAFE.test(text) || !HTTP_PREFIX.test(text)) return false;
  const url = URL.parse(text);
  return url !== null && url.hostname !== '' && url.username === '' && url.password === '';
}
