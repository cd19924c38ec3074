/**
 * One log line per request (method, path, status, duration, request id) and the request id
 * itself: taken from the client's `X-Request-Id` when it is sane, generated otherwise, and
 * returned in the response's `X-Request-Id`. Query strings, headers and bodies are never logged.
 */
import { Elysia } from 'elysia';
import { logger } from './logger';

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

interface RequestFacts {
  id: string;
  startedAt: number;
}

const facts = new WeakMap<Request, RequestFacts>();

/**
 * The status the client got. A handler or plugin that returns a Response object (JSON text built by
 * the database, the rate limiter's 429) carries its status there, not in `set.status`.
 */
function sentStatus(responseValue: unknown, setStatus: unknown): number {
  if (responseValue instanceof Response) return responseValue.status;
  return typeof setStatus === 'number' ? setStatus : 200;
}

export const requestLog = new Elysia({ name: 'request-log' })
  .onRequest(({ request, set }) => {
    const offered = request.headers.get('x-request-id');
    const id = offered && SANE_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
    facts.set(request, { id, startedAt: performance.now() });
    set.headers['x-request-id'] = id;
  })
  .onAfterResponse({ as: 'global' }, ({ request, set, path, responseValue }) => {
    const known = facts.get(request);
    if (!known) return;
    const status = sentStatus(responseValue, set.status);
    const durationMs = Math.round((performance.now() - known.startedAt) * 100) / 100;
    const line = { requestId: known.id, method: request.method, path, status, durationMs };
    if (status >= 500) logger.error(line, 'request');
    // Probes arrive every few seconds from orchestrators: keep them out of the default log.
    else if (path === '/health' || path === '/ready') logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
