/**
 * One log line per request (method, path, status, duration, request id, trace id when tracing) and
 * the same request counted in the metrics with the same status; and the request id
 * itself: taken from the client's `X-Request-Id` when it is sane, generated otherwise, and
 * returned in the response's `X-Request-Id`. Query strings, headers and bodies are never logged.
 */
import { trace } from '@opentelemetry/api';
import { Elysia } from 'elysia';
import type { Settings } from './config';
import { logger } from './logger';
import { recordRequest } from './metrics';

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

interface RequestFacts {
  id: string;
  startedAt: number;
  /** The trace this request belongs to, when tracing is on (taken while its span is the active one). */
  traceId: string | undefined;
}

const facts = new WeakMap<Request, RequestFacts>();

/**
 * The status the client got. A handler or plugin that returns a Response object (the rate limiter's 429,
 * for one) carries its status there, not in `set.status`.
 */
function sentStatus(responseValue: unknown, setStatus: unknown): number {
  if (responseValue instanceof Response) return responseValue.status;
  return typeof setStatus === 'number' ? setStatus : 200;
}

/** Logs each request once answered, and counts it in the metrics when `metrics.enabled`. */
export const requestLog = ({ metrics }: Pick<Settings, 'metrics'>) =>
  new Elysia({ name: 'request-log' })
    .onRequest(({ request, set }) => {
      const offered = request.headers.get('x-request-id');
      const id = offered && SANE_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
      facts.set(request, { id, startedAt: performance.now(), traceId: trace.getActiveSpan()?.spanContext().traceId });
      set.headers['x-request-id'] = id;
    })
    .onAfterResponse({ as: 'global' }, ({ request, set, path, route, responseValue }) => {
      const known = facts.get(request);
      if (!known) return;
      const status = sentStatus(responseValue, set.status);
      const seconds = (performance.now() - known.startedAt) / 1000;
      // The route template, never the raw path (slugs and usernames would make a series per article).
      if (metrics.enabled) recordRequest(request.method, route || 'unmatched', status, seconds);
      const durationMs = Math.round(seconds * 100_000) / 100;
      const line = { requestId: known.id, traceId: known.traceId, method: request.method, path, status, durationMs };
      if (status >= 500) logger.error(line, 'request');
      // Probes arrive every few seconds from orchestrators: keep them out of the default log.
      else if (path === '/health' || path === '/ready') logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
