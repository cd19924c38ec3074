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
import { Checklist } from './lib/report';
import { startServer } from './lib/server';
import { ThrowawayPostgres } from './lib/throwaway-postgres';

const checks = new Checklist();
const check = checks.check.bind(checks);

console.log('Starting a throwaway primary and two streaming replicas of it ...');
const primary = await ThrowawayPostgres.create();
await primary.start();
const replicas = [await ThrowawayPostgres.replicaOf(primary), await ThrowawayPostgres.replicaOf(primary)];
for (const replica of replicas) await replica.start();

const database = await createTestDatabase(primary.serverUrl, 'conduit_replicas');
const name = new URL(database.url).pathname.slice(1);
const onPrimary = postgres(primary.databaseUrl(name), { max: 1, onnotice: () => {} });
const onReplicas = replicas.map((replica) => postgres(replica.databaseUrl(name), { max: 1, onnotice: () => {} }));

const server = await startServer(
  {
    DATABASE_URL: primary.databaseUrl(name),
    DATABASE_REPLICA_URLS: replicas.map((replica) => replica.databaseUrl(name)).join(','),
  },
  { quiet: true },
);
const api = async (method: string, path: string, body?: unknown, token?: string) => {
  const response = await fetch(`${server.origin}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Token ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: a script reading arbitrary JSON answers
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
};
const register = async (username: string) =>
  (await api('POST', '/users', { user: { username, email: `${username}@example.com`, password: 'password' } })).body
    .user.token as string;

try {
  const token = await register('writer');
  const created = await api(
    'POST',
    '/articles',
    { article: { title: 'Replicated', description: 'd', body: 'b' } },
    token,
  );
  check('a create answers 201 with the article', created.status === 201 && created.body.article.title === 'Replicated');
  const slug = created.body.article.slug as string;
  for (let tries = 0; tries < 100 && (await api('GET', `/articles/${slug}`)).status !== 200; tries++) {
    await Bun.sleep(50);
  }

  // Article reads first, list pages last: the connections' last statements are then list pages.
  for (let i = 0; i < 50; i++) await api('GET', `/articles/${slug}`);
  for (let i = 0; i < 50; i++) await api('GET', '/articles');
  // Each server's view of the app's connections and the last statement each of them ran (its first
  // kilobyte): list pages (the only statements that join LATERAL subqueries on the page) must
  // appear on both replicas and never on the primary.
  const lastRan = async (sql: typeof onPrimary, pattern: string) =>
    (
      await sql`select count(*)::int as n from pg_stat_activity
        where datname = ${name} and pid <> pg_backend_pid() and query like ${pattern}`
    )[0]?.n as number;
  const lists = '%inner join lateral%';
  const seen = {
    replicas: await Promise.all(onReplicas.map((sql) => lastRan(sql, lists))),
    primary: await lastRan(onPrimary, lists),
  };
  check(
    'list pages are spread over both replicas, none on the primary',
    seen.replicas.every((n) => n > 0) && seen.primary === 0,
    JSON.stringify(seen),
  );
  for (let i = 0; i < 10; i++) await api('GET', `/articles/${slug}`);
  // The single-article statement is the one that selects the body. (The primary runs it too: for
  // the answer to the create above.)
  const articleSeen = await Promise.all(onReplicas.map((sql) => lastRan(sql, '%"articles"."body"%')));
  check(
    'article reads are spread over both replicas',
    articleSeen.every((n) => n > 0),
    JSON.stringify(articleSeen),
  );

  for (const sql of onReplicas) await sql`select pg_wal_replay_pause()`;
  const lagging = await api(
    'POST',
    '/articles',
    { article: { title: 'While lagging', description: 'd', body: 'b' } },
    token,
  );
  check(
    'while the replicas lag, a create answers with the new article',
    lagging.status === 201 && lagging.body.article.title === 'While lagging',
  );
  const lagSlug = lagging.body.article.slug as string;
  const updated = await api('PUT', `/articles/${lagSlug}`, { article: { body: 'changed' } }, token);
  check(
    'an update of that article (found on the primary) answers with the change',
    updated.body?.article?.body === 'changed',
  );
  const favorited = await api('POST', `/articles/${lagSlug}/favorite`, undefined, token);
  check(
    'a favorite answers favorited, counted',
    favorited.body?.article?.favorited === true && favorited.body.article.favoritesCount === 1,
  );
  const newcomerToken = await register('newcomer');
  const followed = await api('POST', '/profiles/newcomer/follow', undefined, token);
  check(
    'following a user registered during the lag works',
    followed.status === 200 && followed.body.profile.following === true,
  );
  const login = await api('POST', '/users/login', { user: { email: 'newcomer@example.com', password: 'password' } });
  check(
    'that user can log in at once (accounts are read from the primary)',
    login.status === 200 && Boolean(newcomerToken),
  );
  const comment = await api('POST', `/articles/${lagSlug}/comments`, { comment: { body: 'first' } }, newcomerToken);
  check('a comment on the new article answers 201', comment.status === 201 && comment.body.comment.body === 'first');
  const stale = await api('GET', `/articles/${lagSlug}`);
  check('a plain read may lag behind (the replicas do not have it yet)', stale.status === 404);
  for (const sql of onReplicas) await sql`select pg_wal_replay_resume()`;
} catch (error) {
  check('the run completes', false, String(error));
} finally {
  await server.stop();
  await onPrimary.end();
  for (const sql of onReplicas) await sql.end();
  for (const replica of replicas) replica.destroy();
  await database.drop().catch(() => {});
  primary.destroy();
}

checks.finish();
