/**
 * `Idempotency-Key` on every write of an account (./idempotency.service.ts has the rules), as the
 * `idempotent: true` macro beside `auth: true` on each such route: before the route runs, the key is
 * claimed or the first answer is replayed; once it has answered, the answer is kept. A write sent
 * without the header pays one header lookup; reads carry none of these hooks (global hooks cost
 * every request two awaits and an after-response task, about 3% of a simple read's throughput).
 *
 * Its hooks run after the route's authentication (Elysia runs a route's resolves first), so the key
 * belongs to the session's account, and a retired session gets 401 before anything kept is shown.
 * Registration and login have no account to scope a key to and take no key (docs/api.md says why
 * they need none). src/idempotency/idempotency-routes.test.ts checks that every other write has it.
 */
import { type Context, Elysia, ElysiaCustomStatusResponse } from 'elysia';
import type { TokenClaims } from '../core/auth';
import { warnNowAndThen } from '../core/logger';
import type { Claim } from './idempotency.repository';
import {
  type Answer,
  checkKey,
  fingerprintOf,
  IDEMPOTENCY_KEY_HEADER,
  type IdempotencyService,
} from './idempotency.service';

/** On a replayed answer, as Stripe names it. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The claims of the requests that hold a key, until they have answered. */
const claims = new WeakMap<Request, Claim>();

/** The rules the hooks apply: the plugin decorates every request's context with them. */
type WithKeys = { idempotencyKeys: IdempotencyService };

/** What the hooks read of a request: the session the auth macro resolved (this feature names no other). */
type Authenticated = Pick<Context, 'request' | 'path' | 'query' | 'body' | 'set'> &
  WithKeys & { session?: TokenClaims };

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

async function finish(
  { finishRequest }: IdempotencyService,
  claim: Claim,
  answer: ReturnType<typeof answerOf>,
): Promise<void> {
  try {
    await finishRequest(claim, answer);
  } catch (error) {
    // The work is done and the client must hear so: the claim is left, and abandoned after a minute
    // (an unkept answer's claim is let go as soon as the database is back: idempotency.service.ts).
    // The driver's own message only: the failed statement's (with the answer in it) stays out of the log.
    warnNowAndThen('Idempotency-Key answer not kept', error);
  }
}

function replay({ status, reply }: Answer): Response {
  if (reply === null) return new Response(null, { status });
  return new Response(reply, { status, headers: { 'content-type': 'application/json;charset=utf-8' } });
}

/** The hooks each account write carries (exported for the test that checks every such route has them). */
export const idempotencyHooks = {
  async beforeHandle({ request, path, query, body, set, session, idempotencyKeys }: Authenticated) {
    const header = request.headers.get(IDEMPOTENCY_KEY_HEADER);
    if (header === null) return;
    if (session === undefined) throw new Error('`idempotent: true` needs `auth: true` on its route');
    const key = checkKey(header);
    const fingerprint = fingerprintOf({ method: request.method, path, query, body });
    const begun = await idempotencyKeys.beginRequest(session, key, fingerprint);
    if ('claim' in begun) {
      claims.set(request, begun.claim);
      return;
    }
    set.headers[REPLAYED_HEADER] = 'true';
    return replay(begun.replay);
  },
  async mapResponse({
    request,
    responseValue,
    set,
    idempotencyKeys,
  }: Pick<Context, 'request' | 'set'> & WithKeys & { responseValue: unknown }) {
    // While an error is being turned into an answer this runs after each error hook, with no body
    // until one of them answers (src/core/http.ts always does): wait for that. No body with a 2xx is a 204.
    const pending = responseValue === undefined && !(typeof set.status === 'number' && set.status < 300);
    const claim = pending ? undefined : takeClaim(request);
    if (claim) await finish(idempotencyKeys, claim, answerOf(responseValue, set.status));
    // Handed back unchanged: where Elysia answers outside any route (unknown paths, 405s), what a
    // mapResponse hook returns is the answer, undefined included (elysiajs/elysia#1900). Its types
    // say Response, but any value is sent as a handler's would be.
    return responseValue as Response | undefined;
  },
  async afterResponse({ request, idempotencyKeys }: Pick<Context, 'request'> & WithKeys) {
    // An answer that went out unseen (none of ours do): let the key go, so that a retry does the work.
    const claim = takeClaim(request);
    if (claim) await finish(idempotencyKeys, claim, undefined);
  },
};

/** The `idempotent` macro, applying the rules of `keys` (src/users/users.guards.ts hands it to every controller). */
export const idempotency = (keys: IdempotencyService) =>
  new Elysia({ name: 'idempotency' }).decorate('idempotencyKeys', keys).macro({ idempotent: idempotencyHooks });
