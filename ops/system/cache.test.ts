/**
 * The read cache across processes: two servers on one database, each keeping answers in memory. A
 * write through one is seen through the other once the database's announcement reaches it (measured
 * here), and never the old answer after that; a server whose listening session is cut listens again
 * and drops what it held. (That nothing is served while it does not listen is ReadCache.lost's rule;
 * the gap is too short here to observe from outside.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { testApp } from '../../src/test/app';
import { DRILL_ENV, type RunningServer, startServer } from '../lib/server';

/** The test run's own database on a server, when there is one (src/test/app.ts). */
const serverDatabase = (await testApp()).settings.database.url;

/** The parts of the API's answers this test reads. */
interface Answer {
  user?: { token: string };
  article?: { slug: string; description: string };
}

async function call(server: RunningServer, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${server.origin}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Token ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = response.status === 204 ? {} : ((await response.json()) as Answer);
  return { status: response.status, body: answer };
}

const titleOn = async (server: RunningServer, slug: string) =>
  (await call(server, 'GET', `/api/articles/${slug}`)).body.article?.description;

/** Reads through `server` until it shows `title`; how long that took, in ms. */
async function untilShown(server: RunningServer, slug: string, title: string, budgetMs = 10_000): Promise<number> {
  const started = performance.now();
  while ((await titleOn(server, slug)) !== title) {
    if (performance.now() - started > budgetMs) throw new Error(`"${title}" not shown within ${budgetMs} ms`);
  }
  return performance.now() - started;
}

describe.skipIf(!serverDatabase)('the read cache, two server processes on one database', () => {
  let a: RunningServer;
  let b: RunningServer;
  let token: string;
  let slug: string;

  beforeAll(async () => {
    const env = { ...DRILL_ENV, DATABASE_URL: serverDatabase ?? '', WRITE_RATE_LIMIT: '0', AUTH_RATE_LIMIT: '0' };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    const username = `cache${Date.now().toString(36)}`;
    const registered = await call(a, 'POST', '/api/users', undefined, {
      user: { username, email: `${username}@example.com`, password: 'correct horse' },
    });
    token = registered.body.user?.token ?? '';
    const created = await call(a, 'POST', '/api/articles', token, {
      article: { title: `Cached ${username}`, description: 'd', body: 'b' },
    });
    if (created.status !== 201) throw new Error(`setup failed: ${JSON.stringify([registered, created])}`);
    slug = created.body.article?.slug ?? '';
  }, 300_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('a write through one is served by the other once announced, and the old answer never again', async () => {
    const delays: number[] = [];
    for (let round = 0; round < 40; round++) {
      await titleOn(b, slug); // kept on b
      const title = `Round ${round}`;
      expect((await call(a, 'PUT', `/api/articles/${slug}`, token, { article: { description: title } })).status).toBe(
        200,
      );
      delays.push(await untilShown(b, slug, title));
      for (let again = 0; again < 3; again++) expect(await titleOn(b, slug)).toBe(title);
    }
    delays.sort((x, y) => x - y);
    const p = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]?.toFixed(1);
    // The stale window seen from outside (it includes the requests' own round trips): docs/performance.md.
    console.log(`[cache] another process showed a write after p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (40 writes)`);
    expect(Number(p(0.99))).toBeLessThan(5000);
  }, 300_000);

  test('a server whose listening session is cut listens again, drops what it held, and keeps answers again', async () => {
    await titleOn(b, slug);
    const admin = postgres(serverDatabase ?? '', { max: 1, onnotice: () => {} });
    try {
      const cut = await admin`select pg_terminate_backend(pid) as done from pg_stat_activity
        where application_name like '% listener' and datname = current_database()`;
      expect(cut.length).toBeGreaterThanOrEqual(2); // a's, b's, and this test process's own app's
    } finally {
      await admin.end();
    }
    const title = `After the cut ${Date.now()}`;
    expect((await call(a, 'PUT', `/api/articles/${slug}`, token, { article: { description: title } })).status).toBe(
      200,
    );
    await untilShown(b, slug, title);

    // Listening again (within the back-off), b keeps answers: a later write is seen through it too.
    await Bun.sleep(1500);
    const later = `Later ${Date.now()}`;
    expect((await call(a, 'PUT', `/api/articles/${slug}`, token, { article: { description: later } })).status).toBe(
      200,
    );
    await untilShown(b, slug, later);
    const metrics = await (await fetch(`${b.origin}/metrics`)).text();
    expect(metrics).toMatch(/conduit_cache_lookups_total\{result="hit"\} [1-9]/);
  }, 300_000);
});
