/**
 * `Idempotency-Key` on every write of an account (./idempotency.service.ts has the rules): before the
 * route runs, the key is claimed or the first answer is replayed; once it has answered, the answer is
 * kept. A request without the header, and every read, pays one header lookup and nothing else.
 *
 * The hooks run before the route's own authentication, so the key's account is the token's, and
 * what the key has kept is shown only after the service has checked the session again. Registration
 * and login have no account to scope a key to: they ignore the header (docs/api.md says why they
 * need none).
 */
import { Elysia, ElysiaCustomStatusResponse } from 'elysia';
import { claimsFrom, type TokenClaims } from '../core/auth';
import { warnNowAndThen } from '../core/logger';
import type { Claim } from './idempotency.repository';
import {
  type Answer,
  beginRequest,
  checkKey,
  fingerprintOf,
  finishRequest,
  IDEMPOTENCY_KEY_HEADER,
} from './idempotency.service';

/** On a replayed answer, as Stripe names it. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const WRITES = new Set(['POST', 'PUT', 'DELETE']);
const ANONYMOUS_WRITES = new Set(['POST /api/users', 'POST /api/users/login']);

/** The claims of the requests that hold a key, until they have answered. */
const claims = new WeakMap<Request, Claim>();

/** The token's claims; null without a usable one (the route then answers 401 as it always does). */
function sessionOf(request: Request): TokenClaims | null {
  try {
    return claimsFrom(request.headers.get('authorization') ?? undefined);
  } catch {
    return null;
  }
}

/** What the route answered, as the hook sees it: a status and a body to keep, or nothing it can read. */
function answerOf(value: unknown, status: unknown): { status: number; body: unknown } | undefined {
  if (value instanceof ElysiaCustomStatusResponse) return { status: value.code, body: value.response };
  if (value instanceof Response) return undefined;
  return { status: typeof status === 'number' ? status : 200, body: value };
}

function takeClaim(request: Request): Claim | undefined {
  const claim = claims.get(request);
  claims.delete(request);
  return claim;
}

async function finish(claim: Claim, answer: ReturnType<typeof answerOf>): Promise<void> {
  try {
    await finishRequest(claim, answer);
  } catch (error) {
    // The work is done and the client must hear so: the claim is left, and abandoned after a minute.
    // The driver's own message only: the failed statement's (with the answer in it) stays out of the log.
    warnNowAndThen('Idempotency-Key answer not kept', error);
  }
}

function replay({ status, reply }: Answer): Response {
  if (reply === null) return new Response(null, { status });
  return new Response(reply, { status, headers: { 'content-type': 'application/json;charset=utf-8' } });
}

export const idempotency = new Elysia({ name: 'idempotency' })
  .onBeforeHandle({ as: 'global' }, async ({ request, route, path, query, body, set }) => {
    const header = request.headers.get(IDEMPOTENCY_KEY_HEADER);
    if (header === null || !WRITES.has(request.method) || ANONYMOUS_WRITES.has(`${request.method} ${route}`)) return;
    const session = sessionOf(request);
    if (session === null) return;
    const key = checkKey(header);
    const fingerprint = fingerprintOf({ method: request.method, path, query, body });
    const begun = await beginRequest(session, key, fingerprint);
    if ('claim' in begun) {
      claims.set(request, begun.claim);
      return;
    }
    set.headers[REPLAYED_HEADER] = 'true';
    return replay(begun.replay);
  })
  .mapResponse({ as: 'global' }, async ({ request, responseValue, set }) => {
    // While an error is being turned into an answer this runs after each error hook, with no body
    // until one of them answers (src/core/http.ts always does): wait for that. No body with a 2xx is a 204.
    const pending = responseValue === undefined && !(typeof set.status === 'number' && set.status < 300);
    const claim = pending ? undefined : takeClaim(request);
    if (claim) await finish(claim, answerOf(responseValue, set.status));
    // Handed back unchanged: where Elysia answers outside any route (unknown paths, 405s), what a
    // mapResponse hook returns is the answer, undefined included (elysiajs/elysia#1900). Its types
    // say Response, but any value is sent as a handler's would be.
    return responseValue as Response | undefined;
  })
  .onAfterResponse({ as: 'global' }, async ({ request }) => {
    // An answer that went out unseen (none of ours do): let the key go, so that a retry does the work.
    const claim = takeClaim(request);
    if (claim) await finish(claim, undefined);
  });
