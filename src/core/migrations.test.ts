/**
 * Upgrading a database that already has data: the data migrations (drizzle/0003, 0006, 0009 and 0012)
 * must fill the counters and the copied creation times from the rows that are there.
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
  test("the counters and the tag links' and favorites' creation times are filled from existing rows", async () => {
    const connection = await connect({ embeddedDataDir: 'memory://' });
    const early = firstMigrations(2); // users, then articles, tags, favorites, comments, follows
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

      await connection.migrate();

      const { rows } = (await connection.db.execute(sql`
        select (select articles from article_totals) as total,
               (select json_object_agg(author_id, articles) from author_totals) as authors,
               (select json_object_agg(name, article_count) from tags) as tags,
               (select bool_and(article_created_at = a.created_at) from article_tags t join articles a on a.id = t.article_id) as copied,
               (select count(*) from favorites f join articles a on a.id = f.article_id
                where f.article_created_at = a.created_at)::int as favorites_copied
      `)) as unknown as { rows: unknown[] };
      expect(rows).toEqual([{ total: 2, authors: { 1: 2 }, tags: { x: 2, y: 1 }, copied: true, favorites_copied: 2 }]);
    } finally {
      await connection.close();
      rmSync(early, { recursive: true, force: true });
    }
  });
});
