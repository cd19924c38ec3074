/**
 * Writes of a session racing the password change that retires it. Changing the password ends every
 * other session: a write those sessions sent before the change either commits before the change does
 * (the change waits for it), or is refused with 401 and leaves nothing. Never does it land after.
 *
 * Each write is stopped midway by a lock this test holds, at a point after the write has checked the
 * session, so that the change can be made while the write is under way. That needs connections at
 * once: the embedded database has one, so these run on a server only (CI runs them on PostgreSQL and
 * through PgBouncer).
 */
import { describe, expect, test } from 'bun:test';
import { type SQL, sql } from 'drizzle-orm';
import { connect } from '../core/connection';
import { auth, createArticle, ok, registerUser, send, type TestUser, testClient, uniqueName } from '../test/api';
import { testApp } from '../test/app';

const { db } = (await testApp()).database;
const { settings } = await testApp();
const client = await testClient();

/** Generous: the machine may be loaded; the waits end as soon as what they wait for happens. */
const PATIENCE_MS = 20_000;

async function one<Row>(query: SQL): Promise<Row> {
  const rows = (await db.execute(query)) as unknown as Row[];
  return rows[0] as Row;
}

async function holds(query: SQL): Promise<boolean> {
  return (await one<{ holds: boolean }>(sql`select (${query}) as holds`)).holds;
}

/** Statements of this test's database waiting for a lock. */
async function lockWaiters(): Promise<number> {
  const { n } = await one<{ n: number }>(
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return n;
}

/** Resolves once `done()` is true, polling; fails after PATIENCE_MS. */
async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + PATIENCE_MS;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`waited ${PATIENCE_MS} ms for ${what}`);
    await Bun.sleep(5);
  }
}

/** Runs `statement` in a transaction of its own connection, and keeps it open until `end()`. */
async function holdOpen(statement: SQL) {
  const connection = await connect({ url: settings.database.url, pgbouncer: settings.database.pgbouncer });
  let decide: (commit: boolean) => void = () => {};
  const decided = new Promise<boolean>((resolve) => {
    decide = resolve;
  });
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const ROLLED_BACK = new Error('rolled back on purpose');
  const transaction = connection.db
    .transaction(async (tx) => {
      await tx.execute(statement);
      opened();
      if (!(await decided)) throw ROLLED_BACK;
    })
    .catch((error) => {
      if (error !== ROLLED_BACK) throw error;
    });
  await Promise.race([open, transaction]);
  return {
    async end(commit: boolean) {
      decide(commit);
      await transaction;
      await connection.close();
    },
  };
}

/** The request's reply once it arrives; `settled` says whether it has. */
function sent<Reply>(reply: Promise<Reply>) {
  const tracked = { settled: false, reply };
  reply.then(
    () => {
      tracked.settled = true;
    },
    () => {
      tracked.settled = true;
    },
  );
  return tracked;
}

async function logIn(user: TestUser): Promise<string> {
  const response = await client.api.users.login.post({ user: { email: user.email, password: user.password } });
  return ok(response).user.token;
}

interface Fixture {
  user: TestUser;
  other: TestUser;
  userId: number;
  otherId: number;
}

interface RacedWrite {
  name: string;
  /** What the user has before the write (made with their first session), and what the write needs. */
  setup(fixture: Fixture): Promise<Record<string, string | number>>;
  request(fixture: Fixture, given: Record<string, string | number>): [method: string, path: string, body?: unknown];
  /** A lock the write needs after it has checked the session: held, it stops the write there. */
  midway(fixture: Fixture, given: Record<string, string | number>): SQL;
  /** Whether the write's effect is in the database. */
  landed(fixture: Fixture, given: Record<string, string | number>): SQL;
}

const articleRow = (slug: unknown) => sql`select 1 from articles where slug = ${slug} for update`;

const WRITES: RacedWrite[] = [
  {
    name: 'POST /api/articles',
    async setup() {
      return { title: uniqueName('Raced '), tag: uniqueName('raced') };
    },
    request: (_, { title, tag }) => [
      'POST',
      '/api/articles',
      { article: { title, description: 'd', body: 'b', tagList: [tag] } },
    ],
    // The article's new tag, being inserted by another transaction: the write waits to see whether it commits.
    midway: (_, { tag }) => sql`insert into tags (name) values (${tag})`,
    landed: (_, { title }) => sql`exists (select 1 from articles where title = ${title})`,
  },
  {
    name: 'PUT /api/articles/:slug',
    async setup({ user }) {
      return { slug: (await createArticle(user)).slug };
    },
    request: (_, { slug }) => ['PUT', `/api/articles/${slug}`, { article: { body: 'changed by the other session' } }],
    midway: (_, { slug }) => articleRow(slug),
    landed: (_, { slug }) =>
      sql`exists (select 1 from articles where slug = ${slug} and body = 'changed by the other session')`,
  },
  {
    name: 'DELETE /api/articles/:slug',
    async setup({ user }) {
      return { slug: (await createArticle(user)).slug };
    },
    request: (_, { slug }) => ['DELETE', `/api/articles/${slug}`],
    midway: (_, { slug }) => articleRow(slug),
    landed: (_, { slug }) => sql`not exists (select 1 from articles where slug = ${slug})`,
  },
  {
    name: 'POST /api/articles/:slug/comments',
    async setup({ other }) {
      return { slug: (await createArticle(other)).slug, body: uniqueName('comment ') };
    },
    request: (_, { slug, body }) => ['POST', `/api/articles/${slug}/comments`, { comment: { body } }],
    // Its article, locked: the comment's foreign key check waits for it.
    midway: (_, { slug }) => articleRow(slug),
    landed: (_, { body }) => sql`exists (select 1 from comments where body = ${body})`,
  },
  {
    name: 'DELETE /api/articles/:slug/comments/:id',
    async setup({ user, other }) {
      const { slug } = await createArticle(other);
      const comment = await client.api
        .articles({ slug })
        .comments.post({ comment: { body: 'to be deleted' } }, auth(user.token));
      return { slug, id: ok(comment).comment.id };
    },
    request: (_, { slug, id }) => ['DELETE', `/api/articles/${slug}/comments/${id}`],
    midway: (_, { id }) => sql`select 1 from comments where id = ${id} for update`,
    landed: (_, { id }) => sql`not exists (select 1 from comments where id = ${id})`,
  },
  {
    name: 'POST /api/articles/:slug/favorite',
    async setup({ other }) {
      return { slug: (await createArticle(other)).slug };
    },
    request: (_, { slug }) => ['POST', `/api/articles/${slug}/favorite`],
    midway: (_, { slug }) => articleRow(slug),
    landed: ({ userId }, { slug }) =>
      sql`exists (select 1 from favorites join articles on articles.id = article_id where user_id = ${userId} and slug = ${slug})`,
  },
  {
    name: 'DELETE /api/articles/:slug/favorite',
    async setup({ user, other }) {
      const { slug } = await createArticle(other);
      ok(await client.api.articles({ slug }).favorite.post(undefined, auth(user.token)));
      return { slug };
    },
    request: (_, { slug }) => ['DELETE', `/api/articles/${slug}/favorite`],
    midway: ({ userId }, { slug }) =>
      sql`select 1 from favorites where user_id = ${userId} and article_id = (select id from articles where slug = ${slug}) for update`,
    landed: ({ userId }, { slug }) =>
      sql`not exists (select 1 from favorites join articles on articles.id = article_id where user_id = ${userId} and slug = ${slug})`,
  },
  {
    name: 'POST /api/profiles/:username/follow',
    async setup() {
      return {};
    },
    request: ({ other }) => ['POST', `/api/profiles/${other.username}/follow`],
    // The user followed, locked: the follow's foreign key check waits for them.
    midway: ({ otherId }) => sql`select 1 from users where id = ${otherId} for update`,
    landed: ({ userId, otherId }) =>
      sql`exists (select 1 from follows where follower_id = ${userId} and followed_id = ${otherId})`,
  },
  {
    name: 'DELETE /api/profiles/:username/follow',
    async setup({ user, other }) {
      ok(await client.api.profiles({ username: other.username }).follow.post(undefined, auth(user.token)));
      return {};
    },
    request: ({ other }) => ['DELETE', `/api/profiles/${other.username}/follow`],
    midway: ({ userId, otherId }) =>
      sql`select 1 from follows where follower_id = ${userId} and followed_id = ${otherId} for update`,
    landed: ({ userId, otherId }) =>
      sql`not exists (select 1 from follows where follower_id = ${userId} and followed_id = ${otherId})`,
  },
];

async function fixture(): Promise<Fixture> {
  const [user, other] = await Promise.all([registerUser(), registerUser()]);
  const idOf = async (username: string) =>
    (await one<{ id: number }>(sql`select id from users where username = ${username}`)).id;
  return { user, other, userId: await idOf(user.username), otherId: await idOf(other.username) };
}

async function startWrite(write: RacedWrite, fixture: Fixture, given: Record<string, string | number>, token: string) {
  const [method, path, body] = write.request(fixture, given);
  return sent(send(method, path, { token, body }));
}

describe.skipIf(!settings.database.url)('a write of another session racing a password change', () => {
  test.each(WRITES.map((write) => [write.name, write] as const))(
    '%s under way when the change comes: the change waits for it to commit',
    async (_, write) => {
      const users = await fixture();
      const given = await write.setup(users);
      const otherSession = await logIn(users.user);

      const lock = await holdOpen(write.midway(users, given));
      const writing = await startWrite(write, users, given, otherSession);
      await until('the write to wait for the lock held midway', async () => (await lockWaiters()) >= 1);

      const change = sent(client.api.user.put({ user: { password: 'a brand new password' } }, auth(users.user.token)));
      // The change must now wait for the write (two statements wait for a lock), not commit before it.
      await until(
        'the change to wait for the write, or to be done',
        async () => change.settled || (await lockWaiters()) >= 2,
      );
      const changeWentFirst = change.settled;
      await lock.end(false);

      const [written, changed] = await Promise.all([writing.reply, change.reply]);
      expect(changeWentFirst).toBe(false);
      expect(changed.status).toBe(200);
      expect(written.status).toBeLessThan(300);
      expect(await holds(write.landed(users, given))).toBe(true);
      expect((await client.api.user.get(auth(otherSession))).status).toBe(401);
    },
  );

  test.each(WRITES.map((write) => [write.name, write] as const))(
    '%s that has to wait for the change: 401, and nothing written',
    async (_, write) => {
      const users = await fixture();
      const given = await write.setup(users);
      const otherSession = await logIn(users.user);

      // What a password change does to the user's row (users.repository's updateUser: locked FOR
      // UPDATE, then a new token version), committed only once the write waits for it.
      const change = await holdOpen(
        sql`update users set token_version = token_version + 1
            where id in (select id from users where id = ${users.userId} for update)`,
      );
      const writing = await startWrite(write, users, given, otherSession);
      await until(
        'the write to wait for the change, or to be done',
        async () => writing.settled || (await lockWaiters()) >= 1,
      );
      const writeWentFirst = writing.settled;
      await change.end(true);

      const written = await writing.reply;
      expect(writeWentFirst).toBe(false);
      expect(written.status).toBe(401);
      expect(written.body).toEqual({ errors: { token: ['invalid'] } });
      expect(await holds(write.landed(users, given))).toBe(false);
    },
  );
});
