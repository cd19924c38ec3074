/**
 * `db:migrate` and `db:status` as an operator's pipeline runs them against PostgreSQL: several at
 * once, beside live traffic, on a database whose records do not match the folder. These need a
 * server (TEST_DATABASE_URL); through PgBouncer they are skipped, since migrations go to the server.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER } from '../../src/core/connection';
import { MigrationError, migrateServer, migrationFiles } from '../../src/core/migrator';
import { api, createArticle, registerUser } from '../../src/test/api';
import { testApp } from '../../src/test/app';
import { createTestDatabase, type TestDatabase } from '../../src/test/database';
import { startServer } from '../lib/server';

const ROOT = resolve(import.meta.dir, '../..');
const serverUrl = process.env.TEST_DATABASE_URL;
const onServer = Boolean(serverUrl) && process.env.DB_PGBOUNCER !== 'true';

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<string> {
  const database = await createTestDatabase(serverUrl ?? '', 'conduit_migrator', { migrate: false });
  databases.push(database);
  return database.url;
}
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

/** Runs a command of package.json's with only these variables (and PATH), as a deploy step would. */
async function command(script: string | string[], env: Record<string, string>) {
  const child = Bun.spawn(['bun', ...(Array.isArray(script) ? script : [script])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [exitCode, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { exitCode, output: stdout + stderr };
}

/** drizzle's records of applied migrations: created_at of each, in order. */
async function records(url: string): Promise<number[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ created_at: string }[]>`select created_at from drizzle.__drizzle_migrations order by id`;
    return rows.map((row) => Number(row.created_at));
  } finally {
    await sql.end();
  }
}

/** A copy of drizzle/ with extra migrations after the real ones (`when` later than any of them). */
function folderWith(extra: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'conduit-migrator-'));
  mkdirSync(join(folder, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
  for (const { tag } of journal.entries)
    copyFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), join(folder, `${tag}.sql`));
  let when = Math.max(...journal.entries.map((entry: { when: number }) => entry.when));
  for (const [tag, sql] of Object.entries(extra)) {
    when += 1000;
    journal.entries.push({ idx: journal.entries.length, version: '7', when, tag, breakpoints: true });
    writeFileSync(join(folder, `${tag}.sql`), sql);
  }
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  return folder;
}

/** Resolves once `query` finds a row (polled from a connection of its own, for up to a minute). */
async function waitUntilFound(url: string, query: string, what: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (let tries = 0; tries < 2400; tries++) {
      if ((await sql.unsafe(query)).length > 0) return;
      await Bun.sleep(25);
    }
    throw new Error(`never happened: ${what}`);
  } finally {
    await sql.end();
  }
}
/** db:migrate's session is waiting for a table lock (so that reads now queue behind it). */
const MIGRATOR_QUEUED =
  "select 1 from pg_stat_activity where application_name = 'conduit db:migrate' and wait_event_type = 'Lock'";
/** Some migrator holds the advisory lock. */
const MIGRATION_LOCK_HELD = "select 1 from pg_locks where locktype = 'advisory' and granted";

const quiet = { lockTimeoutMs: 5000, attempts: 5, log: () => {} };
const allMigrations = migrationFiles(MIGRATIONS_FOLDER).map((file) => file.createdAt);

describe.skipIf(!onServer)('db:migrate on a PostgreSQL server', () => {
  test('five at once on a fresh database, three rounds: every run exits 0, every migration is applied once', async () => {
    for (let round = 0; round < 3; round++) {
      const url = await freshDatabase();
      const runs = await Promise.all(Array.from({ length: 5 }, () => command('src/migrate.ts', { DATABASE_URL: url })));

      for (const run of runs) expect(run).toMatchObject({ exitCode: 0 });
      expect(runs.filter((run) => run.output.includes('Applied 0000_users'))).toHaveLength(1);
      expect(await records(url)).toEqual(allMigrations);
    }
  });

  test('a migrator that starts during a slow migration waits for it, then finds nothing to do', async () => {
    const url = await freshDatabase();
    const folder = folderWith({
      '9001_slow_and_not_idempotent':
        'create table probe (n int);\n--> statement-breakpoint\nselect pg_sleep(1);\n--> statement-breakpoint\ninsert into probe values (1);',
    });
    try {
      const first = migrateServer(url, { ...quiet, folder });
      await waitUntilFound(url, MIGRATION_LOCK_HELD, 'a migrator took the lock');
      const second = await migrateServer(url, { ...quiet, folder });
      const applied = await first;

      expect(applied.map((file) => file.tag)).toContain('9001_slow_and_not_idempotent');
      expect(second).toEqual([]);
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      expect([...(await sql`select n from probe`)]).toEqual([{ n: 1 }]);
      await sql.end();
      expect(await records(url)).toHaveLength(allMigrations.length + 1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('db:seed and drizzle-kit need only DATABASE_URL too (NODE_ENV=production, no JWT_SECRET)', async () => {
    const url = await freshDatabase();
    const env = { DATABASE_URL: url };
    expect(await command('src/migrate.ts', env)).toMatchObject({ exitCode: 0 });

    const seeded = await command('src/seed.ts', env);
    expect(seeded.output).toContain('Done.');
    expect(seeded.exitCode).toBe(0);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    expect([...(await sql`select count(*)::int as n from articles`)]).toEqual([{ n: 10 }]);
    await sql.end();
    const kit = await command(['--bun', 'node_modules/drizzle-kit/bin.cjs', 'check'], env);
    expect(kit.output).not.toContain('Configuration error');
    expect(kit.exitCode).toBe(0);
  });

  test('db:status and db:migrate need only DATABASE_URL, and refuse an edited or unknown migration', async () => {
    const url = await freshDatabase();
    const env = { DATABASE_URL: url };

    expect((await command('src/status.ts', env)).output).toContain(`0 applied, ${allMigrations.length} pending`);
    expect(await command('src/migrate.ts', env)).toMatchObject({ exitCode: 0 });
    const clean = await command('src/status.ts', env);
    expect(clean).toMatchObject({ exitCode: 0 });
    expect(clean.output).toContain(`${allMigrations.length} applied, 0 pending`);

    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`update drizzle.__drizzle_migrations set hash = 'edited' where created_at = ${allMigrations[1] ?? 0}`;
    const edited = await command('src/status.ts', env);
    expect(edited.exitCode).toBe(1);
    expect(edited.output).toMatch(/EDITED +0001_/);
    const refused = await command('src/migrate.ts', env);
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toContain('was edited after it was applied');

    await sql`update drizzle.__drizzle_migrations set hash = ${migrationFiles(MIGRATIONS_FOLDER)[1]?.hash ?? ''} where hash = 'edited'`;
    await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 99999999999999)`;
    const unknown = await command('src/status.ts', env);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.output).toContain('UNKNOWN');
    expect((await command('src/migrate.ts', env)).output).toContain('has a migration the folder lacks');
    await sql.end();
  });

  test('a migration blocked by a long transaction gives up within its lock timeout, naming the blocker; reads go on', async () => {
    // The app's own database: a real author and article, and the app answering through HTTP.
    const author = await registerUser();
    const article = await createArticle(author);
    const url = (await testApp()).settings.database.url ?? '';
    const folder = folderWith({ '9002_alter_articles': 'alter table articles add column probe integer;' });
    const holder = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'long report' } });
    const reserved = await holder.reserve();
    try {
      await reserved`begin`;
      await reserved`select count(*) from articles`; // holds a lock the ALTER must wait for
      const [holderPid] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;

      const migrating = migrateServer(url, {
        folder,
        lockTimeoutMs: 1000,
        attempts: 2,
        retryDelayMs: 200,
        log: () => {},
      });
      const outcome = migrating.then(
        () => undefined,
        (error: unknown) => error,
      );
      await waitUntilFound(url, MIGRATOR_QUEUED, 'the migrator waited for a lock');
      // While the migrator waits (and retries), reads wait at most the lock timeout behind it.
      const readStartedAt = performance.now();
      const read = await api('GET', `/api/articles/${article.slug}`);
      expect(read.status).toBe(200);
      expect(performance.now() - readStartedAt).toBeLessThan(1000 + 4000);

      const error = await outcome;
      expect(error).toBeInstanceOf(MigrationError);
      expect(String((error as Error).message)).toContain(`pid ${holderPid?.pid}`);
      expect(String((error as Error).message)).toContain('long report');
      expect(String((error as Error).message)).toContain('Gave up after 2 attempts');
    } finally {
      await reserved`rollback`;
      reserved.release();
      await holder.end();
      rmSync(folder, { recursive: true, force: true });
    }
    // Nothing was applied: the column does not exist and the app still reads articles.
    expect((await api('GET', `/api/articles/${article.slug}`)).status).toBe(200);
  });
});

test.skipIf(!onServer)(
  'a pending migration older than the newest applied one is refused: it would never run',
  async () => {
    const url = await freshDatabase();
    expect(await command('src/migrate.ts', { DATABASE_URL: url })).toMatchObject({ exitCode: 0 });
    // As when a branch that fell behind is merged: its migration sorts before ones already applied.
    const folder = folderWith({});
    const journalFile = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    const behind = (allMigrations[2] ?? 0) + 1;
    journal.entries.push({
      idx: journal.entries.length,
      version: '7',
      when: behind,
      tag: '9004_behind',
      breakpoints: true,
    });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(join(folder, '9004_behind.sql'), 'create table never_run (id integer);');
    try {
      const attempt = migrateServer(url, { ...quiet, folder });

      await expect(attempt).rejects.toThrow(/9004_behind is pending but older than the newest applied migration/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

describe.skipIf(!onServer)('/ready follows the schema', () => {
  test('503 with the reason on a database that lacks migrations; 200 once migrated, without a restart', async () => {
    const url = await freshDatabase();
    const server = await startServer({ DATABASE_URL: url }, { timeoutMs: 120_000 });
    try {
      const behind = await fetch(`${server.origin}/ready`);
      expect(behind.status).toBe(503);
      expect(JSON.stringify(await behind.json())).toContain('run db:migrate');

      expect(await command('src/migrate.ts', { DATABASE_URL: url })).toMatchObject({ exitCode: 0 });

      const ready = await fetch(`${server.origin}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
