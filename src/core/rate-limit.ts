/**
 * Request limits, so that password guessing, password-hash flooding and write storms cannot take the
 * server down or fill the database:
 *
 * - per client address on what hashes a password (registering, logging in, changing a password);
 * - per account, after authentication, on writes (and, in src/users, on password changes).
 *
 * Each is a fixed one-minute window per key. The counters live in this process: behind several
 * processes or hosts, each keeps its own (see docs/operations.md).
 */
import { Elysia } from 'elysia';
import { DefaultContext, defaultOptions, rateLimit } from 'elysia-rate-limit';
import { errorResponse, TooManyRequests } from './errors';

type Server = Elysia['server'];

const WINDOW_MS = 60_000;
/**
 * A budget remembers at least this many of the most recently seen keys (its LRU keeps up to twice as
 * many); older ones are forgotten and their count starts afresh. Memory stays bounded, and forgetting
 * can only ever let a request through, never refuse one.
 */
const MAX_KEYS = 10_000;

/**
 * At most `perMinute` requests per key (a client address, an account) in a fixed one-minute window
 * that opens with the key's first request; 0 means no limit. The counts are kept in
 * elysia-rate-limit's own store (a bounded LRU), so that its plugin can share a budget.
 */
export class MinuteBudget {
  readonly counts = new DefaultContext(MAX_KEYS);

  constructor(readonly perMinute: number) {
    this.counts.init({ ...defaultOptions, duration: WINDOW_MS });
  }

  get limited(): boolean {
    return this.perMinute > 0;
  }

  /** Counts one request of `key`: undefined while within budget, else the seconds until the window closes. */
  async spend(key: string): Promise<number | undefined> {
    if (!this.limited) return undefined;
    const { count, nextReset } = await this.counts.increment(key, WINDOW_MS);
    if (count <= this.perMinute) return undefined;
    return Math.max(1, Math.ceil((nextReset.getTime() - Date.now()) / 1000));
  }
}

/**
 * The client address: the socket's peer, or behind `hops` trusted proxies, the address the outermost
 * of them saw, i.e. the `hops`-th X-Forwarded-For entry from the end. Entries further left were
 * written by the client and prove nothing (as in Express's and Fastify's trust-proxy rules).
 */
export function clientAddress(request: Request, server: Server | null, hops: number): string {
  if (hops > 0) {
    const entries = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Fewer entries than proxies: the request skipped one, and the leftmost entry is the client's own
    // writing. The socket's peer is then the only address not taken on the client's word.
    const seenByOutermostProxy = entries.length >= hops ? entries[entries.length - hops] : undefined;
    if (seenByOutermostProxy) return seenByOutermostProxy;
  }
  return server?.requestIP(request)?.address ?? 'unknown';
}

/**
 * Every request to the routes it is used on spends one from `budget` for the client's address (behind
 * `trustedProxies` proxies: see clientAddress).
 */
export function perClientRateLimit(budget: MinuteBudget, trustedProxies: number) {
  return (app: Elysia) =>
    !budget.limited
      ? app
      : app.use(
          rateLimit({
            max: budget.perMinute,
            duration: WINDOW_MS,
            scoping: 'scoped',
            // Failed logins count too: they are what guessing produces.
            countFailedRequest: true,
            // rateLimit() initialises the store again: harmless, nothing is counted yet when routes are built.
            context: budget.counts,
            generator: (request, server) => clientAddress(request, server, trustedProxies),
            // Not an Error, which the plugin would throw without its headers: a Response, whose
            // `Retry-After` (a whole window here) it sets to the seconds left in the key's window,
            // beside its RateLimit-* headers.
            errorResponse: errorResponse(new TooManyRequests(WINDOW_MS / 1000)),
          }),
        );
}

/**
 * `{ auth: true, writeLimit: true }` on a route: each request spends one from `writes` for the signed-in
 * account, whatever its answer. Elysia runs a route's `resolve`s (the auth macro's, which yields
 * `currentUserId`) before its `beforeHandle`s, whatever the order of the options, so the account is
 * known here. elysia-rate-limit cannot count per account: its check is a plugin-level hook, which runs
 * before the route's own, so its key generator never sees who is signed in.
 */
export function perAccountRateLimit(writes: MinuteBudget) {
  return new Elysia().macro({
    writeLimit: {
      // The account the auth macro resolved: this module names no feature, so it reads no feature's types.
      async beforeHandle(context: object) {
        const currentUserId = 'currentUserId' in context ? context.currentUserId : undefined;
        if (typeof currentUserId !== 'number') throw new Error('a per-account limit needs `auth: true` on its route');
        const wait = await writes.spend(String(currentUserId));
        if (wait !== undefined) throw new TooManyRequests(wait);
      },
    },
  });
}
