/**
 * The one rule for request bodies: JSON, sent as `application/json` (any letter case, any
 * parameters), else 415; bounded in size, depth and arrival time. Used by src/core/http.ts as the
 * app's only body parser, so that the rule holds whatever the case of the media type and every bound
 * is checked before anything else looks at the body.
 */
import { Invalid, PayloadTooLarge, RequestTimeout, UnsupportedMediaType } from './errors';

/** Whether the request carries a body at all (declared by its length or by chunked transfer). */
function hasBody(request: Request): boolean {
  return Number(request.headers.get('content-length') ?? 0) > 0 || request.headers.has('transfer-encoding');
}

/** Our bodies nest three levels deep; a deeper one is refused before it is parsed (deep nesting overflowed the validator's stack). */
const MAX_JSON_DEPTH = 32;
/** A body must have arrived this long after the request started (a trickled one holds a connection open). */
const BODY_TIMEOUT_MS = 10_000;

/** Whether JSON text nests deeper than `limit`, found in one pass without recursion. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** What a text field holding something PostgreSQL cannot store, or that is not Unicode, is told (422). */
export const UNSTORABLE = 'must not contain NUL characters or invalid Unicode';
/** Requests with a larger body are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What a body that does not parse as JSON is told (422). */
export const NOT_JSON = 'is not valid JSON';

/**
 * Decodes UTF-8 strictly: invalid bytes are refused, never replaced by U+FFFD and stored as if
 * sent. Reused by every request (without `stream`, each decode starts afresh).
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: 408 when it has not all arrived in time, 413 when it is over the limit, 422 when it is not UTF-8. */
async function bodyText(request: Request): Promise<string> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout()), BODY_TIMEOUT_MS);
  });
  try {
    const bytes = await Promise.race([request.arrayBuffer(), late]);
    if (bytes.byteLength > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new Invalid({ body: [UNSTORABLE] });
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The request's JSON body (null when it is empty), undefined when there is none; throws the 4xx otherwise. */
export async function parseJsonBody(request: Request, contentType: string): Promise<unknown> {
  if (contentType === '' && !hasBody(request)) return undefined;
  if (contentType.trim().toLowerCase() !== 'application/json') throw new UnsupportedMediaType();
  const text = await bodyText(request);
  if (text.trim() === '') return null;
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new Invalid({ body: [`is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`] });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Invalid({ body: [NOT_JSON] });
  }
}
