import { Elysia, t } from 'elysia';
import type { ApiTag } from '../core/docs';
import { registry } from '../core/metrics';
import type { HealthService } from './health.service';

const Status = t.Object({ status: t.String() });

const BEARER = 'Bearer ';

/** The token of `Authorization: Bearer <token>`: undefined without the header, null for any other credentials. */
function bearerToken(authorization: string | undefined): string | null | undefined {
  if (!authorization) return undefined;
  return authorization.startsWith(BEARER) ? authorization.slice(BEARER.length) : null;
}

export const OPERATIONS_TAG: ApiTag = { name: 'Operations', description: 'Liveness and readiness' };

/** Operational endpoints, outside /api: liveness for restarts, readiness for load balancers, metrics for Prometheus. */
export const healthController = ({ assertReady, scrape }: HealthService) =>
  new Elysia({ name: 'health.controller', detail: { tags: [OPERATIONS_TAG.name] } })
    .get('/health', () => ({ status: 'ok' }), {
      response: Status,
      detail: { summary: 'Liveness: the process answers' },
    })
    .get(
      '/ready',
      async () => {
        await assertReady();
        return { status: 'ready' };
      },
      { response: Status, detail: { summary: 'Readiness: the database answers and has every migration' } },
    )
    .get(
      '/metrics',
      async ({ headers }) =>
        new Response(await scrape(bearerToken(headers.authorization)), {
          headers: { 'content-type': registry.contentType },
        }),
      {
        detail: {
          summary:
            'Metrics in the Prometheus text format (Authorization: Bearer <METRICS_TOKEN>; production serves them only with a token)',
          responses: { 200: { description: 'Prometheus text exposition format' } },
        },
      },
    );
