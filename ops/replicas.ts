/**
 * `bun run test:replicas`: the API on a primary and two streaming replicas of it, all throwaway
 * PostgreSQL instances of this script's own (initdb, pg_basebackup -R, free ports; never the
 * shared server). Checks that list and article reads are spread over both replicas (never the
 * primary), and that while the replicas lag (replay paused) every write still answers with what it
 * wrote, because those answers and the reads that decide writes come from the primary. Prints
 * "N passed, M failed".
 */
import postgres from 'postgres';
import { createTestDatabase } from '../src/test/database';
import { apiClient, register } from './lib/api';
import { type Checklist, runHarness, type Teardown } from './lib/harness';
import { startServer } from './lib/server';
import { ThrowawayPostgres } from './lib/throwaway-postgres';

/** A primary and two replicas, a database on them, one connection to each, and the API. */
async function setUp(teardown: Teardown) {
  console.log('Starting a throwaway primary and two streaming replicas of it ...');
  const primary = await ThrowawayPostgres.create();
  teardown.add(() => primary.destroy());
  await primary.start();
  const replicas = [await ThrowawayPostgres.replicaOf(primary), await ThrowawayPostgres.replicaOf(primary)];
  for (const replica of replicas) {
    teardown.add(() => replica.destroy());
    await replica.start();
  }
  const database = await createTestDatabase(primary.serverUrl, 'conduit_replicas');
  teardown.add(() => database.drop());
  const name = new URL(database.url).pathname.slice(1);
  const connect = (instance: ThrowawayPostgres) => {
    const sql = postgres(instance.databaseUrl(name), { max: 1, onnotice: () => {} });
    teardown.add(() => sql.end());
    return sql;
  };
  const onPrimary = connect(primary);
  const onReplicas = replicas.map(connect);
  const server = await startServer(
    {
      DATABASE_URL: primary.databaseUrl(name),
      DATABASE_REPLICA_URLS: replicas.map((replica) => replica.databaseUrl(name)).join(','),
      // What this checks is where reads are routed; with the read cache on, the shared reads' misses
      // read the primary by design (docs/performance.md; ops/system/cache.test.ts checks the cache).
      CACHE: 'off',
    },
    { quiet: true },
  );
  teardown.add(() => server.stop());
  /** How many of the app's connections last ran a statement like `pattern` (pg_stat_activity keeps its first kilobyte). */
  const lastRan = async (sql: postgres.Sql, pattern: string) =>
    (
      await sql`select count(*)::int as n from pg_stat_activity
        where datname = ${name} and pid <> pg_backend_pid() and query like ${pattern}`
    )[0]?.n as number;
  return { api: apiClient(`${server.origin}/api`), onPrimary, onReplicas, lastRan };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

/** Reads go to the replicas: list pages never to the primary, article reads to both replicas. */
async function checkReads(checks: Checklist, { api, onPrimary, onReplicas, lastRan }: Setup, token: string) {
  const article = { title: 'Replicated', description: 'd', body: 'b' };
  const created = await api('POST', '/articles', { article }, token);
  checks.check(
    'a create answers 201 with the article',
    created.status === 201 && created.body.article.title === 'Replicated',
  );
  const slug = created.body.article.slug as string;
  for (let tries = 0; tries < 100 && (await api('GET', `/articles/${slug}`)).status !== 200; tries++) {
    await Bun.sleep(50);
  }
  // Article reads first, list pages last: the connections' last statements are then list pages
  // (the only statements that join LATERAL subqueries on the page).
  for (let i = 0; i < 50; i++) await api('GET', `/articles/${slug}`);
  for (let i = 0; i < 50; i++) await api('GET', '/articles');
  const lists = '%inner join lateral%';
  const seen = {
    replicas: await Promise.all(onReplicas.map((sql) => lastRan(sql, lists))),
    primary: await lastRan(onPrimary, lists),
  };
  checks.check(
    'list pages are spread over both replicas, none on the primary',
    seen.replicas.every((n) => n > 0) && seen.primary === 0,
    JSON.stringify(seen),
  );
  for (let i = 0; i < 10; i++) await api('GET', `/articles/${slug}`);
  // The single-article statement is the one that selects the body. (The primary runs it too: for
  // the answer to the create above.)
  const articleSeen = await Promise.all(onReplicas.map((sql) => lastRan(sql, '%"articles"."body"%')));
  checks.check(
    'article reads are spread over both replicas',
    articleSeen.every((n) => n > 0),
    JSON.stringify(articleSeen),
  );
}

/** While the replicas lag, every write answers with what it wrote (it reads from the primary). */
async function checkWritesWhileLagging(checks: Checklist, { api, onReplicas }: Setup, token: string) {
  for (const sql of onReplicas) await sql`select pg_wal_replay_pause()`;
  const article = { title: 'While lagging', description: 'd', body: 'b' };
  const lagging = await api('POST', '/articles', { article }, token);
  checks.check(
    'while the replicas lag, a create answers with the new article',
    lagging.status === 201 && lagging.body.article.title === 'While lagging',
  );
  const slug = lagging.body.article.slug as string;
  const updated = await api('PUT', `/articles/${slug}`, { article: { body: 'changed' } }, token);
  checks.check(
    'an update of that article (found on the primary) answers with the change',
    updated.body?.article?.body === 'changed',
  );
  const favorited = await api('POST', `/articles/${slug}/favorite`, undefined, token);
  checks.check(
    'a favorite answers favorited, counted',
    favorited.body?.article?.favorited === true && favorited.body.article.favoritesCount === 1,
  );
  const newcomerToken = await register(api, 'newcomer');
  const followed = await api('POST', '/profiles/newcomer/follow', undefined, token);
  checks.check(
    'following a user registered during the lag works',
    followed.status === 200 && followed.body.profile.following === true,
  );
  const login = await api('POST', '/users/login', { user: { email: 'newcomer@example.com', password: 'password' } });
  checks.check('that user can log in at once (accounts are read from the primary)', login.status === 200);
  const comment = await api('POST', `/articles/${slug}/comments`, { comment: { body: 'first' } }, newcomerToken);
  checks.check(
    'a comment on the new article answers 201',
    comment.status === 201 && comment.body.comment.body === 'first',
  );
  const stale = await api('GET', `/articles/${slug}`);
  checks.check('a plain read may lag behind (the replicas do not have it yet)', stale.status === 404);
  for (const sql of onReplicas) await sql`select pg_wal_replay_resume()`;
}

export function main(): Promise<never> {
  return runHarness(async (checks, teardown) => {
    const setup = await setUp(teardown);
    const token = await register(setup.api, 'writer');
    await checkReads(checks, setup, token);
    await checkWritesWhileLagging(checks, setup, token);
  });
}

if (import.meta.main) await main();
