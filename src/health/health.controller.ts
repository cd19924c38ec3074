import { Elysia, t } from 'elysia';
import { assertReady } from './health.service';

const Status = t.Object({ status: t.String() });

/** Operational endpoints, outside /api: liveness for restarts, readiness for load balancers. */
export const healthController = new Elysia({ name: 'health.controller', detail: { tags: ['Operations'] } })
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
  );
