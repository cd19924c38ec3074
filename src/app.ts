/**
 * The whole API: every feature's controller under /api, the operational endpoints beside
 * it, all behind the one error mapping.
 * Tests drive this object directly (`app.handle(request)`); src/index.ts serves it.
 */
import { cors } from '@elysiajs/cors';
import { Elysia } from 'elysia';
import { ARTICLES_TAG, articlesController, FAVORITES_TAG } from './articles/articles.controller';
import { COMMENTS_TAG, commentsController } from './comments/comments.controller';
import { config } from './core/config';
import { apiDocs } from './core/docs';
import { httpPolicy } from './core/http';
import { requestLog } from './core/request-log';
import { targetsAsSent, unmatchedRoutes } from './core/routes';
import { securityHeaders } from './core/security-headers';
import { tracing } from './core/tracing';
import { healthController, OPERATIONS_TAG } from './health/health.controller';
import { REPLAYED_HEADER } from './idempotency/idempotency.plugin';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency/idempotency.service';
import { PROFILES_TAG, profilesController } from './profiles/profiles.controller';
import { TAGS_TAG, tagsController } from './tags/tags.controller';
import { TOKEN_IGNORED_HEADER } from './users/users.auth';
import { USERS_TAG, usersController } from './users/users.controller';

export const app = new Elysia({ name: 'conduit' })
  .use(tracing)
  .use(requestLog)
  .use(targetsAsSent)
  .use(unmatchedRoutes)
  .use(securityHeaders)
  .use(httpPolicy)
  .use(
    cors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', IDEMPOTENCY_KEY_HEADER],
      exposeHeaders: ['Link', 'Retry-After', 'X-Request-Id', TOKEN_IGNORED_HEADER, REPLAYED_HEADER],
      credentials: false,
      maxAge: 600,
    }),
  )
  .use(apiDocs([USERS_TAG, PROFILES_TAG, ARTICLES_TAG, FAVORITES_TAG, COMMENTS_TAG, TAGS_TAG, OPERATIONS_TAG]))
  .get('/', ({ redirect }) => redirect('/docs'))
  .use(healthController)
  .group('/api', (api) =>
    api
      .use(usersController)
      .use(profilesController)
      .use(articlesController)
      .use(commentsController)
      .use(tagsController),
  );

export type App = typeof app;
