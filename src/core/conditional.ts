/**
 * Conditional GETs (RFC 9110 §13) for the answers of ./read-cache.ts: every such answer carries an
 * ETag, and a request whose If-None-Match names it gets 304 and no body. An answer everyone shares is
 * sent as kept, and its 304 costs no database round trip when it is kept; a signed-in viewer's answer
 * (the shared one with their flags) is `private`, and its ETag covers those flags too, so its 304
 * still looks them up.
 */
import { etagOf, type Shared } from './read-cache';

/**
 * A read's answer: the shared one as it is kept, or a viewer's own, made of it and their flags.
 * (`Value` is the response body's type; the controller's response model checks a viewer's own.)
 */
export type Answer<Value> =
  | { shared: Shared<Value> }
  | { own: Value; etag: string; headers: Shared<Value>['headers']; json?: string };

/** A viewer's flags: for each flag, the keys (slugs, usernames) it is set for. */
export type Flags = Record<string, ReadonlySet<string>>;

/** A viewer's own answer: the shared one with `flags` folded in by `apply`, tagged by both. */
export function ownAnswer<Value, ViewerFlags extends Flags>(
  shared: Shared<Value>,
  flags: ViewerFlags,
  apply: (value: Value, flags: ViewerFlags) => Value,
): Answer<Value> {
  const set = Object.entries(flags).map(([name, keys]) => `${name}:${[...keys].sort().join('/')}`);
  return {
    own: apply(shared.value, flags),
    etag: etagOf(`${shared.etag} ${set.join(' ')}`),
    headers: shared.headers,
  };
}

/**
 * A viewer's own answer read afresh (the feed, the signed-in user): tagged by its content, so a
 * client that has it gets 304, though the read was made.
 */
export function freshAnswer<Value>(value: Value): Answer<Value> {
  const json = JSON.stringify(value);
  return { own: value, json, etag: etagOf(json), headers: {} };
}

/** Any validator of `ifNoneMatch` names `etag` (weak comparison, as GET and HEAD use). */
export function hasCurrent(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

interface ReplyContext {
  request: Request;
  set: { headers: Record<string, string | number>; status?: number | string };
}

/**
 * The answer as HTTP: 304 when the client has it, else its JSON: the kept text as is, or the viewer's
 * own value serialized here (its type is the route's response model's, so the compiler checks its
 * shape; src/core/conditional.test.ts checks the bodies against the models). Shared answers may be
 * stored by any HTTP cache but must be revalidated (no-cache); they differ with the token (Vary).
 *
 * The Response carries every header set so far (the request id, security and CORS headers), and
 * `set.headers` is left empty: Elysia then sends it as it is, rather than copying it into a second
 * Response with those headers merged in, which costs a cache hit about a tenth of its time.
 */
export function reply<Value>({ request, set }: ReplyContext, answer: Answer<Value>): Response {
  const shared = 'shared' in answer;
  const etag = shared ? answer.shared.etag : answer.etag;
  const headers = Object.assign(set.headers, shared ? answer.shared.headers : answer.headers);
  set.headers = {};
  headers.etag = etag;
  headers['cache-control'] = shared ? 'no-cache' : 'private, no-cache';
  // They differ with the token; CORS adds Origin when it answers per origin. Its `*` (any origin
  // allowed) would forbid every cache from reusing them: the answer is the same for all origins then.
  headers.vary = headers.vary && headers.vary !== '*' ? `${headers.vary}, Authorization` : 'Authorization';
  if (hasCurrent(request.headers.get('if-none-match'), etag)) {
    set.status = 304;
    return new Response(null, { status: 304, headers: headers as Record<string, string> });
  }
  headers['content-type'] = 'application/json';
  return new Response(shared ? answer.shared.json : (answer.json ?? JSON.stringify(answer.own)), {
    headers: headers as Record<string, string>,
  });
}
