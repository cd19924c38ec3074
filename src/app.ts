/**
 * The whole API: every feature's controller under /api, the operational endpoints beside
 * it, all behind the one error mapping.
 * Tests drive this object directly (`app.handle(request)`); src/index.ts serves it.
 */
import { Elysia } from 'elysia';
import { httpErrors } from './core/http';
import { healthController } from './health/health.controller';
import { usersController } from './users/users.controller';

export const app = new Elysia({ name: 'conduit' })
  .use(httpErrors)
  .use(healthController)
  .group('/api', (api) => api.use(usersController));

export type App = typeof app;
