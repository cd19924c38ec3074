/**
 * Seeds a realistic data set straight in SQL (seconds for 100k articles, where the HTTP API would
 * take minutes): users who follow each other, articles spread over time and authors, a skewed
 * tag vocabulary (a few tags are everywhere, most are rare), favorites and comments.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { connect, type Database } from '../../src/core/connection';
import { createTestDatabase } from '../../src/test/database';
import { hashPassword } from '../../src/users/users.password';
import { reachable, serverUrl } from '../lib/cli';

export interface SeedSize {
  articles: number;
  users: number;
}

export function sizeFor(articles: number): SeedSize {
  return { articles, users: Math.max(50, Math.round(articles / 20)) };
}

export const BENCH_PASSWORD = 'password';

export async function seedDatabase(
  db: Database,
  { articles, users }: SeedSize,
  passwordHash: string,
  progress: (step: string) => void,
): Promise<void> {
  const run = async (step: string, statement: ReturnType<typeof sql>) => {
    const started = performance.now();
    await db.execute(statement);
    progress(`${step} (${Math.round(performance.now() - started)} ms)`);
  };

  await run(
    `${users} users`,
    sql`insert into users (email, username, password_hash, bio)
        select 'user' || i || '@bench.example', 'user' || i, ${passwordHash}, 'Writer number ' || i
        from generate_series(1, ${users}::int) as i`,
  );
  await run(
    'follows (10 per user)',
    sql`insert into follows (follower_id, followed_id)
        select u, 1 + (u + k * 37) % ${users}::int
        from generate_series(1, ${users}::int) as u, generate_series(1, 10) as k
        where 1 + (u + k * 37) % ${users}::int <> u
        on conflict do nothing`,
  );
  await run(
    `${articles} articles`,
    sql`insert into articles (slug, title, description, body, author_id, created_at, updated_at)
        select 'article-' || i, 'Article number ' || i, 'What article ' || i || ' is about',
               repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit. ', 20),
               1 + (i * 7919) % ${users}::int,
               now() - (${articles}::int - i) * interval '37 seconds',
               now() - (${articles}::int - i) * interval '37 seconds'
        from generate_series(1, ${articles}::int) as i`,
  );
  // 1 to 3 tags per article out of 50, skewed: tag-50 is on most articles, tag-1 on few.
  await run('tags', sql`insert into tags (name) select 'tag-' || t from generate_series(1, 50) as t`);
  await run(
    'article tags',
    sql`insert into article_tags (article_id, tag, article_created_at)
        select distinct i, 'tag-' || (1 + floor(sqrt(abs(hashint4(i * 3 + k)) % 2500)))::int, a.created_at
        from generate_series(1, ${articles}::int) as i
        join articles a on a.id = i, generate_series(1, 3) as k
        where k <= 1 + i % 3`,
  );
  await run(
    'favorites (0 to 4 per article)',
    sql`insert into favorites (user_id, article_id, article_created_at)
        select 1 + (i * 13 + k * 101) % ${users}::int, i, a.created_at
        from generate_series(1, ${articles}::int) as i
        join articles a on a.id = i, generate_series(1, 4) as k
        where k <= i % 5
        on conflict do nothing`,
  );
  await run(
    'comments (0 to 2 per article)',
    sql`insert into comments (article_id, author_id, body, created_at, updated_at)
        select i, 1 + (i + k * 17) % ${users}::int, 'Comment ' || k || ' on article ' || i, now(), now()
        from generate_series(1, ${articles}::int) as i, generate_series(1, 2) as k
        where k <= i % 3`,
  );
  // The article, author and tag counts are the database's own (triggers): nothing to fill in.
  // Fresh statistics, and a visibility map so that index-only scans need not visit the heap.
  await run('vacuum analyze', sql`vacuum analyze`);
}

export interface BenchDatabase {
  /** The server database's URL; undefined for the embedded one, in `embeddedDir`. */
  url?: string;
  embeddedDir?: string;
  drop(): Promise<void>;
}

/**
 * A fresh database seeded with `articles` articles: on the PostgreSQL server (TEST_DATABASE_URL,
 * else DATABASE_URL, else the local one), or, when none answers and `embedded` allows it, embedded.
 */
export async function seededDatabase(
  articles: number,
  log: (message: string) => void,
  { embedded = false } = {},
): Promise<BenchDatabase> {
  const server = serverUrl();
  let database: BenchDatabase;
  if (await reachable(server)) {
    const created = await createTestDatabase(server, 'conduit_bench');
    database = { url: created.url, drop: created.drop };
    log(`database: a fresh one on ${new URL(server).host}`);
  } else if (embedded) {
    const embeddedDir = mkdtempSync(join(tmpdir(), 'conduit-bench-'));
    database = { embeddedDir, drop: async () => rmSync(embeddedDir, { recursive: true, force: true }) };
    log('no PostgreSQL server answers: using the embedded database');
  } else {
    throw new Error(`no PostgreSQL server answers at ${new URL(server).host}`);
  }
  const seeding = await connect({ url: database.url, embeddedDataDir: database.embeddedDir ?? '' });
  try {
    if (database.embeddedDir) await seeding.migrate();
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    await seedDatabase(seeding.db, sizeFor(articles), passwordHash, (step) => log(`seeded ${step}`));
  } finally {
    await seeding.close();
  }
  return database;
}
