/**
 * Upgrading a database that already has data: the data migrations (drizzle/0003, 0006, 0009, 0012 and
 * 0017) must fill the counts and the copied creation times from the rows that are there, and the
 * contract step (0019) must drop the retired counters.
 */
import { describe, expect, test } from 'bun:test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { connect, MIGRATIONS_FOLDER } from './connection';

/** A copy of drizzle/ that stops after the first `count` migrations. */
function firstMigrations(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'conduit-migrations-'));
  mkdirSync(join(folder, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const { tag } of journal.entries)
    copyFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), join(folder, `${tag}.sql`));
  return folder;
}

describe('migrations on a database with data', () => {
  test("the counters and the tag links' and favorites' creation times are filled from existing rows; 0019 drops the retired counters", async () => {
    const connection = await connect({ embeddedDataDir: 'memory://' });
    const early = firstMigrations(2); // users, then articles, tags, favorites, comments, follows
    const beforeContract = firstMigrations(19); // up to 0018: the retired counters are still there
    const query = async (statement: ReturnType<typeof sql>) =>
      ((await connection.db.execute(statement)) as unknown as { rows: unknown[] }).rows;
    try {
      await connection.migrate(early);
      for (const statement of [
        sql`insert into users (email, username, password_hash) values ('a@x.io', 'a', 'h')`,
        sql`insert into articles (slug, title, description, body, author_id, created_at)
            values ('one', 'One', 'd', 'b', 1, '2024-01-01T00:00:00Z'), ('two', 'Two', 'd', 'b', 1, '2024-02-01T00:00:00Z')`,
        sql`insert into article_tags (article_id, tag) values (1, 'x'), (2, 'x'), (2, 'y')`,
        sql`insert into favorites (user_id, article_id) values (1, 1), (1, 2)`,
      ]) {
        await connection.db.execute(statement);
      }

      // The hand-kept counters of 0002 and 0011, filled by 0003 and 0012, until 0019 drops them.
      await connection.migrate(beforeContract);
      expect(
        await query(sql`
          select (select articles from article_totals) as total,
                 (select json_object_agg(author_id, articles) from author_totals) as authors`),
      ).toEqual([{ total: 2, authors: { 1: 2 } }]);

      await connection.migrate();

      const rows = await query(sql`
        select to_regclass('article_totals') is null and to_regclass('author_totals') is null as retired_dropped,
               (select json_object_agg(name, article_count) from tags) as tags,
               (select bool_and(article_created_at = a.created_at) from article_tags t join articles a on a.id = t.article_id) as copied,
               (select count(*) from favorites f join articles a on a.id = f.article_id
                where f.article_created_at = a.created_at)::int as favorites_copied,
               (select sum(articles)::int from article_counts) as counted,
               (select json_object_agg(author_id, n) from (select author_id, sum(articles)::int as n
                from author_article_counts group by author_id) as a) as counted_authors,
               (select json_object_agg(tag, n) from (select tag, sum(articles)::int as n
                from tag_article_counts group by tag) as t) as counted_tags
      `);
      expect(rows).toEqual([
        {
          retired_dropped: true,
          tags: { x: 2, y: 1 },
          copied: true,
          favorites_copied: 2,
          counted: 2,
          counted_authors: { 1: 2 },
          counted_tags: { x: 2, y: 1 },
        },
      ]);
    } finally {
      await connection.close();
      for (const folder of [early, beforeContract]) rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the counts the database keeps', () => {
  test('TRUNCATE empties them; recount_articles() rebuilds them after writes that bypassed the triggers', async () => {
    const connection = await connect({ embeddedDataDir: 'memory://' });
    const run = (statement: ReturnType<typeof sql>) => connection.db.execute(statement);
    const counts = async () =>
      (
        (await run(sql`select (select coalesce(sum(articles), 0)::int from article_counts) as total,
          (select coalesce(sum(articles), 0)::int from tag_article_counts where tag = 'x') as x`)) as unknown as {
          rows: unknown[];
        }
      ).rows[0];
    try {
      await connection.migrate();
      await run(sql`insert into users (email, username, password_hash) values ('a@x.io', 'a', 'h')`);
      await run(sql`insert into tags (name) values ('x')`);
      const article = (slug: string) =>
        run(sql`with a as (insert into articles (slug, title, description, body, author_id)
          values (${slug}, 'T', 'd', 'b', 1) returning id, created_at)
          insert into article_tags (article_id, tag, article_created_at) select id, 'x', created_at from a`);
      await article('one');
      expect(await counts()).toEqual({ total: 1, x: 1 });

      await run(sql`truncate articles cascade`);
      expect(await counts()).toEqual({ total: 0, x: 0 });

      // As a restore with the triggers off would write.
      await run(sql`set session_replication_role = replica`);
      await article('two');
      await article('three');
      await run(sql`set session_replication_role = origin`);
      expect(await counts()).toEqual({ total: 0, x: 0 });
      await run(sql`select recount_articles()`);
      expect(await counts()).toEqual({ total: 2, x: 2 });
    } finally {
      await connection.close();
    }
  });
});
