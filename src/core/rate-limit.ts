/**
 * A per-client-address request limit for the routes that hash passwords (register, login),
 * so that password guessing and hash flooding cannot take the server down. The counters
 * live in this process: behind several processes or hosts, each keeps its own (see docs/operations.md).
 */
import type { Elysia } from 'elysia';
import { rateLimit } from 'elysia-rate-limit';
import { config } from './config';

type Server = Elysia['server'];

/**
 * The client address: the socket's peer, or behind `hops` trusted proxies, the address the outermost
 * of them saw, i.e. the `hops`-th X-Forwarded-For entry from the end. Entries further left were
 * written by the client and prove nothing (as in Express's and Fastify's trust-proxy rules).
 */
export function clientAddress(request: Request, server: Server | null, hops = config.trustedProxies): string {
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

/** At most `perMinute` requests a minute from one address to the routes it is used on; 0 means no limit. */
export function perClientRateLimit(perMinute: number) {
  return (app: Elysia) =>
    perMinute === 0
      ? app
      : app.use(
          rateLimit({
            max: perMinute,
            duration: 60_000,
            scoping: 'scoped',
            // Failed logins count too: they are what guessing produces.
            countFailedRequest: true,
            generator: (request, server) => clientAddress(request, server),
            errorResponse: Response.json(
              { errors: { requests: ['too many attempts, retry later'] } },
              { status: 429, headers: { 'content-type': 'application/json' } },
            ),
          }),
        );
}
