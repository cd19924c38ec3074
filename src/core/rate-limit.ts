/**
 * A per-client-address request limit for the routes that hash passwords (register, login),
 * so that password guessing and hash flooding cannot take the server down. The counters
 * live in this process: behind several processes or hosts, each keeps its own (see README).
 */
import type { Elysia } from 'elysia';
import { rateLimit } from 'elysia-rate-limit';
import { config } from './config';

type Server = Elysia['server'];

/** The client address: the socket's peer, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(request: Request, server: Server | null): string {
  if (config.trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
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
            generator: clientAddress,
            errorResponse: Response.json(
              { errors: { requests: ['too many attempts, retry later'] } },
              { status: 429, headers: { 'content-type': 'application/json' } },
            ),
          }),
        );
}
