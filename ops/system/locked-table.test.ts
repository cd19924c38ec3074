/**
 * A table locked for a long time (an operator's `LOCK TABLE` in a migration, a stuck transaction), on
 * the real server: requests that need it must not take every connection, those that cannot get one
 * are answered 503 in bounded time, and a shutdown leaves nothing behind that its clients were not
 * told about. These need a PostgreSQL server (TEST_DATABASE_URL); each test has a database of its own.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { createTestDatabase, type TestDatabase } from '../../src/test/database';
import { type HeldLock, lockTable } from '../lib/locks';
import { startServer, waitUntil } from '../lib/server';

const serverUrl = process.env.TEST_DATABASE_URL;
const onServer = Boolean(serverUrl) && process.env.DB_PGBOUNCER !== 'true';

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<string> {
  const database = await createTestDatabase(serverUrl ?? '', 'conduit_locked');
  databases.push(database);
  return database.url;
}
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

/** A client gives up on an answer after this long (the lock would otherwise hold it until released). */
const PATIENCE_MS = 30_000;
/** Statements must wait on the lock for the whole test, not be cancelled by the server's timeout. */
const NO_STATEMENT_TIMEOUT = { DB_STATEMENT_TIMEOUT_MS: '600000' };

interface Answer {
  status: number | 'no answer';
  ms: number;
  retryAfter: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON shapes
  body: any;
}

function caller(origin: string) {
  return async (method: string, path: string, { token, body }: { token?: string; body?: object } = {}) => {
    const startedAt = performance.now();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Token ${token}`;
    try {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers,
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(PATIENCE_MS),
      });
      const text = await response.text();
      return {
        status: response.status,
        ms: performance.now() - startedAt,
        retryAfter: response.headers.get('retry-after'),
        body: text ? JSON.parse(text) : null,
      } satisfies Answer;
    } catch {
      return { status: 'no answer', ms: performance.now() - startedAt, retryAfter: null, body: null } satisfies Answer;
    }
  };
}

/** Requests sent at once, and the answers as they come. */
function burst(count: number, send: (i: number) => Promise<Answer>) {
  const answered: Answer[] = [];
  const record = (answer: Answer) => {
    answered.push(answer);
    return answer;
  };
  const all = Promise.all(Array.from({ length: count }, (_, i) => send(i).then(record)));
  return { answered, all };
}

const BUSY = { errors: { database: ['is busy, please retry shortly'] } };

async function signUp(call: ReturnType<typeof caller>, username: string): Promise<string> {
  const user = { username, email: `${username}@example.com`, password: 'password' };
  const answer = await call('POST', '/api/users', { body: { user } });
  expect(answer.status).toBe(201);
  return answer.body.user.token;
}

describe('a locked table', () => {
  test.skipIf(!onServer)(
    'reads stuck on it hold at most half the pool; other routes answer, the rest gets 503 within DB_POOL_WAIT_MS; /ready says when the pool is full',
    async () => {
      const database = await freshDatabase();
      // The defaults: a pool of 10 connections, 1000 ms to wait for one.
      const server = await startServer({ DATABASE_URL: database, ...NO_STATEMENT_TIMEOUT });
      const call = caller(server.origin);
      let held: HeldLock | undefined;
      try {
        const token = await signUp(call, 'reader');
        // Thirty articles, each read once: identical reads would share one query (the read cache).
        const slugs: string[] = [];
        for (let i = 0; i < 30; i++) {
          const article = { title: `Locked ${i}`, description: 'away', body: 'for a while' };
          slugs.push((await call('POST', '/api/articles', { token, body: { article } })).body.article.slug);
        }
        const lock = await lockTable(database, 'articles');
        held = lock;

        // Three times the pool, each reading an article.
        const reads = burst(30, (i) => call('GET', `/api/articles/${slugs[i]}`));
        await waitUntil('25 reads answered', () => reads.answered.length >= 25);
        expect(await lock.waiting()).toBe(5);
        for (const refused of reads.answered) {
          expect(refused).toMatchObject({ status: 503, retryAfter: '1', body: BUSY });
          expect(refused.ms).toBeGreaterThan(900); // each waited DB_POOL_WAIT_MS for a connection
          expect(refused.ms).toBeLessThan(10_000); // and no longer (with room for a busy machine)
        }
        const user = await call('GET', '/api/user', { token });
        expect(user.status).toBe(200);
        expect(user.ms).toBeLessThan(2000);
        expect((await call('GET', '/ready')).status).toBe(200);

        // A second kind of read takes the other half: now nothing is left.
        const lists = burst(30, (i) => call('GET', `/api/articles?offset=${i}`));
        await waitUntil('25 list pages answered', () => lists.answered.length >= 25);
        expect(await lock.waiting()).toBe(10);
        expect(lists.answered.map((answer) => answer.status)).toEqual(Array(25).fill(503));
        const squeezedOut = await call('GET', '/api/user', { token });
        expect(squeezedOut).toMatchObject({ status: 503, retryAfter: '1', body: BUSY });
        const ready = await call('GET', '/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.errors.database[0]).toStartWith('is saturated');

        await lock.release();
        const statuses = (await Promise.all([reads.all, lists.all])).flat().map((answer) => answer.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(10);
        expect(statuses.filter((status) => status === 503)).toHaveLength(50);
        await waitUntil('/ready answers 200 again', async () => (await call('GET', '/ready')).status === 200);
      } finally {
        await held?.release();
        await server.stop();
      }
    },
  );

  test.skipIf(!onServer)(
    'SIGTERM while writes wait on it: each client gets an answer, nothing commits that was not answered 201, the process exits within SHUTDOWN_GRACE_MS',
    async () => {
      const database = await freshDatabase();
      const graceMs = 4000;
      const server = await startServer({
        DATABASE_URL: database,
        SHUTDOWN_GRACE_MS: String(graceMs),
        WRITE_RATE_LIMIT: '0',
        ...NO_STATEMENT_TIMEOUT,
      });
      const call = caller(server.origin);
      const token = await signUp(call, 'writer');
      const create = (title: string) =>
        call('POST', '/api/articles', { token, body: { article: { title, description: 'shutdown', body: 'text' } } });
      // A server that has run a while: its connections have the insert prepared. (On a fresh connection
      // an INSERT would wait for the lock while being parsed, before anything it could commit is sent.)
      for (let round = 0; round < 3; round++) {
        const warmUp = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`Warm-up ${round}-${i}`)));
        expect(warmUp.map((answer) => answer.status)).toEqual(Array(20).fill(201));
      }
      const lock = await lockTable(database, 'articles');
      try {
        const writes = burst(12, (i) => create(`Unlucky ${i}`));
        await waitUntil('writes waiting on the lock', async () => (await lock.waiting()) >= 5);

        const signalledAt = performance.now();
        server.process.kill('SIGTERM');
        await server.process.exited;
        const exitedAfterMs = performance.now() - signalledAt;
        const answers = await writes.all;
        await lock.release();
        await waitUntil('the server’s statements are over', async () => (await busySessions(database)) === 0);

        const unlucky = (await storedSlugs(database)).filter((slug) => slug.startsWith('unlucky'));
        const acknowledged = answers
          .filter((answer) => answer.status === 201)
          .map((answer) => answer.body.article.slug);
        expect(unlucky).toEqual(acknowledged.sort());
        // Those that never got a connection are busy; those whose statements were cancelled, unavailable.
        expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(503));
        for (const answer of answers) expect(answer.body.errors.database).toHaveLength(1);
        expect(server.process.exitCode).toBe(0);
        expect(exitedAfterMs).toBeLessThan(graceMs + 3000);
      } finally {
        await lock.release();
      }
    },
  );

  test.skipIf(!onServer)(
    'a server killed outright: PostgreSQL notices its connections are gone and ends the statements they left waiting',
    async () => {
      const database = await freshDatabase();
      const server = await startServer({ DATABASE_URL: database, WRITE_RATE_LIMIT: '0', ...NO_STATEMENT_TIMEOUT });
      const call = caller(server.origin);
      const token = await signUp(call, 'killed');
      const lock = await lockTable(database, 'articles');
      try {
        const writes = burst(3, (i) =>
          call('POST', '/api/articles', {
            token,
            body: { article: { title: `Orphan ${i}`, description: 'kill -9', body: 'in flight' } },
          }),
        );
        await waitUntil('writes waiting on the lock', async () => (await lock.waiting()) === 3);
        server.process.kill('SIGKILL');
        await writes.all;

        // Still locked: the statements end because their client is gone, not because they got the lock.
        await waitUntil('the orphaned statements are over', async () => (await lock.busy()) === 0);
        await lock.release();
        expect(await storedSlugs(database)).toEqual([]);
      } finally {
        await lock.release();
      }
    },
  );
});

async function storedSlugs(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ slug: string }[]>`select slug from articles order by slug`).map((row) => row.slug);
  } finally {
    await sql.end();
  }
}

/** Sessions of the database, other than the asking one, running a statement or in a transaction. */
async function busySessions(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`;
    return row?.n ?? 0;
  } finally {
    await sql.end();
  }
}
