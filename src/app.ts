/**
 * The one place the app is put together: `createApp(settings, database)` builds every feature's
 * repositories on the database (`createRepositories`), its services on those (`createServices`), and
 * its controller on those, under /api, with
 * the operational endpoints beside them, all behind the one error mapping. The server, the workers,
 * the single binary, the seed, the tests and the benchmark all build theirs here; importing this
 * module (or any other) opens, reads and starts nothing.
 */
import { cors } from '@elysiajs/cors';
import { Elysia } from 'elysia';
import { articleListRepository } from './articles/article-list.repository';
import { articleReadsRepository } from './articles/article-reads.repository';
import { articleWritesRepository } from './articles/article-writes.repository';
import { ARTICLES_TAG, articlesController, FAVORITES_TAG } from './articles/articles.controller';
import { articlesService } from './articles/articles.service';
import { favoritesRepository } from './articles/favorites.repository';
import { COMMENTS_TAG, commentsController } from './comments/comments.controller';
import { commentsRepository } from './comments/comments.repository';
import { commentsService } from './comments/comments.service';
import { followChanges } from './core/change-feed';
import type { Settings } from './core/config';
import { type AppDatabase, openDatabase } from './core/database';
import { apiDocs } from './core/docs';
import { httpPolicy } from './core/http';
import { collectProcessMetrics } from './core/metrics';
import { ReadCache } from './core/read-cache';
import { requestLog } from './core/request-log';
import { targetsAsSent, unmatchedRoutes } from './core/routes';
import { securityHeaders } from './core/security-headers';
import { tracing } from './core/tracing';
import { healthController, OPERATIONS_TAG } from './health/health.controller';
import { healthRepository } from './health/health.repository';
import { healthService } from './health/health.service';
import { withIdempotencyKey } from './idempotency/idempotency.docs';
import { REPLAYED_HEADER } from './idempotency/idempotency.plugin';
import { idempotencyRepository } from './idempotency/idempotency.repository';
import { IDEMPOTENCY_KEY_HEADER, idempotencyService } from './idempotency/idempotency.service';
import { PROFILES_TAG, profilesController } from './profiles/profiles.controller';
import { profilesRepository } from './profiles/profiles.repository';
import { profilesService } from './profiles/profiles.service';
import { TAGS_TAG, tagsController } from './tags/tags.controller';
import { tagsRepository } from './tags/tags.repository';
import { tagsService } from './tags/tags.service';
import { TOKEN_IGNORED_HEADER } from './users/users.auth';
import { USERS_TAG, usersController } from './users/users.controller';
import { routeGuards } from './users/users.guards';
import { usersRepository } from './users/users.repository';
import { usersService } from './users/users.service';

/** Every feature's repositories over `database`: the only code that runs SQL. */
export function createRepositories(database: AppDatabase) {
  const users = usersRepository(database);
  return {
    users,
    profiles: profilesRepository(database, users),
    tags: tagsRepository(database),
    articleLists: articleListRepository(database),
    articleReads: articleReadsRepository(database),
    articleWrites: articleWritesRepository(database, users),
    favorites: favoritesRepository(database, users),
    comments: commentsRepository(database, users),
    idempotency: idempotencyRepository(database),
    health: healthRepository(database),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

/**
 * The read cache of an app over `database` (src/core/read-cache.ts), following the changes the
 * database announces (src/core/change-feed.ts) unless CACHE=off; the feed's session closes with the database.
 */
export function createReadCache(settings: Settings, database: AppDatabase) {
  const cache = new ReadCache(settings.cache);
  const changes = settings.cache.enabled ? followChanges(database, cache) : undefined;
  return { cache, changes };
}

export type AppCache = ReturnType<typeof createReadCache>;

/** Every feature's services over the repositories: what the controllers serve, and what the seed acts through. */
export function createServices(settings: Settings, repositories: Repositories, cache: ReadCache) {
  const users = usersService(repositories.users, cache);
  return {
    users,
    profiles: profilesService(repositories.profiles, cache),
    tags: tagsService(repositories.tags, cache),
    articles: articlesService(
      {
        lists: repositories.articleLists,
        reads: repositories.articleReads,
        writes: repositories.articleWrites,
        favorites: repositories.favorites,
      },
      cache,
    ),
    comments: commentsService(repositories.comments, repositories.articleReads, repositories.profiles, cache),
    idempotency: idempotencyService(repositories.idempotency, users, settings),
    health: healthService(repositories.health, settings),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Everything an app is made of over `database`: its repositories, read cache and services. */
export function assemble(settings: Settings, database: AppDatabase) {
  const repositories = createRepositories(database);
  const readCache = createReadCache(settings, database);
  const services = createServices(settings, repositories, readCache.cache);
  return { repositories, readCache, services };
}

export type Parts = ReturnType<typeof assemble>;

/**
 * The whole API over `database`, configured by `settings`: src/server.ts serves it, tests drive it with
 * `app.handle(request)` (and may pass the `parts` whose services they watch).
 */
export async function createApp(
  settings: Settings,
  database: AppDatabase,
  parts: Parts = assemble(settings, database),
) {
  const { services } = parts;
  if (settings.metrics.enabled) collectProcessMetrics();
  const guards = routeGuards(services.users, services.idempotency, settings);
  return new Elysia({ name: 'conduit' })
    .use(await tracing(settings))
    .use(requestLog(settings))
    .use(targetsAsSent)
    .use(unmatchedRoutes)
    .use(securityHeaders(settings))
    .use(httpPolicy(settings))
    .use(
      cors({
        origin: settings.corsOrigins,
        methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', IDEMPOTENCY_KEY_HEADER],
        exposeHeaders: ['Link', 'Retry-After', 'X-Request-Id', TOKEN_IGNORED_HEADER, REPLAYED_HEADER],
        credentials: false,
        maxAge: 600,
      }),
    )
    .use(
      apiDocs(
        [USERS_TAG, PROFILES_TAG, ARTICLES_TAG, FAVORITES_TAG, COMMENTS_TAG, TAGS_TAG, OPERATIONS_TAG],
        withIdempotencyKey(settings.idempotencyKeyHours),
      ),
    )
    .get('/', ({ redirect }) => redirect('/docs'))
    .use(healthController(services.health))
    .group('/api', (api) =>
      api
        .use(usersController(services.users, guards, settings))
        .use(profilesController(services.profiles, guards))
        .use(articlesController(services.articles, guards))
        .use(commentsController(services.comments, guards))
        .use(tagsController(services.tags)),
    );
}

export type App = Awaited<ReturnType<typeof createApp>>;

/**
 * Startup's first half, in order: the database of `settings` (the embedded one migrated as it opens),
 * its repositories, the services, the app. The server and the seed start here: this module is the one
 * composition root that opens the database, so that nothing else above the repositories imports it.
 */
export async function openApp(settings: Settings) {
  const database = await openDatabase(settings);
  const parts = assemble(settings, database);
  return { app: await createApp(settings, database, parts), database, ...parts };
}

export type OpenApp = Awaited<ReturnType<typeof openApp>>;
