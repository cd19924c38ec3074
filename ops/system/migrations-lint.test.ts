/**
 * `bun run db:lint` runs squawk with .squawk.toml over drizzle/. These check that configuration on
 * migrations of the kinds a schema change produces: the unsafe form is flagged, the safe form passes.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');
const dir = mkdtempSync(join(tmpdir(), 'conduit-squawk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(name: string, sql: string) {
  const file = join(dir, name);
  writeFileSync(file, sql);
  const child = Bun.spawn(
    [join(ROOT, 'node_modules/.bin/squawk'), '--config', join(ROOT, '.squawk.toml'), '--reporter', 'gcc', file],
    {
      cwd: ROOT,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  const [exitCode, output] = await Promise.all([child.exited, new Response(child.stdout).text()]);
  return { exitCode, output };
}

describe('db:lint (squawk with .squawk.toml)', () => {
  test('a foreign key added in one step is flagged; NOT VALID, then VALIDATE in a later migration, passes', async () => {
    const unsafe = await lint(
      'fk.sql',
      'ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "comments"("id");',
    );
    expect(unsafe.exitCode).not.toBe(0);
    expect(unsafe.output).toContain('constraint-missing-not-valid');

    const add = await lint(
      'fk_add.sql',
      'ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "comments"("id") NOT VALID;',
    );
    const validate = await lint('fk_validate.sql', 'ALTER TABLE "comments" VALIDATE CONSTRAINT "comments_parent_fk";');
    expect(add).toMatchObject({ exitCode: 0 });
    expect(validate).toMatchObject({ exitCode: 0 });
  });

  test('an index on an existing table is flagged (it blocks writes while it builds)', async () => {
    const result = await lint('index.sql', 'CREATE INDEX "comments_body_idx" ON "comments" USING btree ("body");');

    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('require-concurrent-index-creation');
  });

  test('a new table with its indexes passes: db:migrate sets the lock timeout itself', async () => {
    const result = await lint(
      'table.sql',
      'CREATE TABLE "bookmarks" ("user_id" integer NOT NULL, "article_id" integer NOT NULL);\n' +
        'CREATE INDEX "bookmarks_user_idx" ON "bookmarks" USING btree ("user_id");',
    );

    expect(result).toMatchObject({ exitCode: 0 });
  });

  test('the migrations applied before db:lint existed are history, not linted', async () => {
    const child = Bun.spawn(['bun', 'run', 'db:lint'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });

    expect(await child.exited).toBe(0);
  });
});
