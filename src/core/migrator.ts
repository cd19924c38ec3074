/**
 * Migrations as an operator runs them against a live database: serialized, polite to traffic, and
 * honest about what is applied.
 *
 * drizzle's `migrate()` applies the pending files in one transaction, but takes no lock (drizzle-orm
 * issue 874): two containers starting at once race on creating its bookkeeping table (one crashes)
 * or both apply the same migration. So the server path holds a PostgreSQL advisory lock on its one
 * session for the whole run, as Prisma, Rails and Flyway do; a second migrator waits, then finds
 * nothing pending. Each attempt runs with a `lock_timeout`: a migration that needs a table lock a
 * long transaction holds gives up after a few seconds instead of queueing every later query on that
 * table behind it, and is retried with backoff a bounded number of times, then fails naming the
 * session in the way.
 *
 * Which migrations are applied is read from drizzle's own records (`drizzle.__drizzle_migrations`:
 * a file's sha256 and its journal timestamp), so status, refusal and readiness agree with drizzle.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Database } from './connection';
import { sqlState } from './database-errors';

/** drizzle's bookkeeping table, as its migrator creates it. */
const migrationRecords = pgSchema('drizzle').table('__drizzle_migrations', {
  id: serial().primaryKey(),
  hash: text().notNull(),
  createdAt: bigint({ mode: 'number' }),
});

export interface MigrationFile {
  tag: string;
  /** The journal's `when`: drizzle records it as the migration's `created_at`. */
  createdAt: number;
  /** sha256 of the file, as drizzle records it. */
  hash: string;
}

export interface MigrationStatus {
  applied: MigrationFile[];
  pending: MigrationFile[];
  /**
   * Pending, but older than the newest applied migration (merged from a branch that fell behind):
   * drizzle applies only files newer than its last record, so these would never run.
   */
  outOfOrder: MigrationFile[];
  /** Applied, but the file has changed since (its hash differs from the recorded one). */
  edited: MigrationFile[];
  /** Recorded in the database, with no file in the folder: applied by a newer version, or deleted. */
  unknown: { createdAt: number; hash: string }[];
}

/** The folder's migrations in journal order, hashed as drizzle hashes them. */
export function migrationFiles(folder: string): MigrationFile[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.map(({ tag, when }) => ({
    tag,
    createdAt: when,
    hash: createHash('sha256')
      .update(readFileSync(join(folder, `${tag}.sql`)))
      .digest('hex'),
  }));
}

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_SCHEMA = '3F000';

/** drizzle's records of applied migrations; none on a database that was never migrated. */
async function appliedRecords(db: Database): Promise<{ createdAt: number; hash: string }[]> {
  try {
    const rows = await db
      .select({ createdAt: migrationRecords.createdAt, hash: migrationRecords.hash })
      .from(migrationRecords)
      .orderBy(asc(migrationRecords.createdAt));
    return rows.map(({ createdAt, hash }) => ({ createdAt: Number(createdAt), hash }));
  } catch (error) {
    const code = sqlState(error);
    if (code === UNDEFINED_TABLE || code === UNDEFINED_SCHEMA) return [];
    throw error;
  }
}

/** Compares the folder with what the database has recorded. */
export async function migrationStatus(db: Database, files: MigrationFile[]): Promise<MigrationStatus> {
  const records = await appliedRecords(db);
  const recorded = new Map(records.map((record) => [record.createdAt, record.hash]));
  const known = new Set(files.map((file) => file.createdAt));
  const newestApplied = Math.max(0, ...records.map((record) => record.createdAt));
  const pending = files.filter((file) => !recorded.has(file.createdAt));
  return {
    applied: files.filter((file) => recorded.has(file.createdAt)),
    pending,
    outOfOrder: pending.filter((file) => file.createdAt <= newestApplied),
    edited: files.filter((file) => recorded.has(file.createdAt) && recorded.get(file.createdAt) !== file.hash),
    unknown: records.filter((record) => !known.has(record.createdAt)),
  };
}

/** Throws MigrationError when the migrator must not run on a database in this state (see refusal). */
export function assertMigratable(status: MigrationStatus): void {
  const refused = refusal(status);
  if (refused)
    throw new MigrationError(`Refusing to migrate: ${refused}. Run bun run db:status for the whole picture.`);
}

/** Why the migrator must not run on this database, or undefined when it may. */
export function refusal(status: MigrationStatus): string | undefined {
  const reasons = [
    ...status.outOfOrder.map(
      (file) =>
        `${file.tag} is pending but older than the newest applied migration, so it would never run (give it a new journal time by generating it again)`,
    ),
    ...status.edited.map((file) => `${file.tag} was edited after it was applied (its hash differs from the record)`),
    ...status.unknown.map(
      (record) => `the database has a migration the folder lacks (created_at ${record.createdAt}, hash ${record.hash})`,
    ),
  ];
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

export class MigrationError extends Error {}

export interface MigrateOptions {
  folder: string;
  /** Each migration statement waits at most this long for a table lock. */
  lockTimeoutMs: number;
  /** Attempts in all when a lock timeout stops the run (a pause that doubles between them). */
  attempts: number;
  /** The first pause between attempts (doubling after each). */
  retryDelayMs?: number;
  log: (message: string) => void;
}

/** Every migrator of this app serializes on the advisory lock of this name's hash. */
const LOCK_NAME = 'conduit:db:migrate';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Applies the folder's pending migrations to the PostgreSQL server at `url`, holding the migration
 * lock for the whole run. Throws MigrationError when the database's records do not match the folder,
 * or when lock timeouts outlast every attempt (naming the blocking sessions).
 */
export async function migrateServer(url: string, options: MigrateOptions): Promise<MigrationFile[]> {
  const files = migrationFiles(options.folder);
  // One connection, so that the advisory lock, the settings and drizzle's transaction share a session.
  const session = postgres(url, {
    max: 1,
    max_lifetime: null,
    onnotice: () => {},
    connection: { application_name: 'conduit db:migrate', statement_timeout: 0 },
  });
  const db = drizzle({ client: session, casing: 'snake_case' });
  try {
    const [self] = await session<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const pid = self?.pid ?? 0;
    const [lock] = await session<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtext(${LOCK_NAME})) as locked`;
    if (!lock?.locked) {
      options.log('Another migrator holds the migration lock: waiting for it to finish ...');
      await session`select pg_advisory_lock(hashtext(${LOCK_NAME}))`;
    }

    const status = await migrationStatus(db, files);
    assertMigratable(status);
    if (status.pending.length === 0) return [];

    await session`select set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, false)`;
    for (let attempt = 1; ; attempt++) {
      const watch = watchBlockers(url, pid);
      try {
        await migrate(db, { migrationsFolder: options.folder });
        return status.pending;
      } catch (error) {
        const blockers = await watch.stop();
        if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
        const who = blockers.length > 0 ? blockers.join('; ') : 'a session that had ended by the time it was looked up';
        if (attempt >= options.attempts) {
          throw new MigrationError(
            `Gave up after ${attempt} attempts: a migration waited more than ${options.lockTimeoutMs} ms for a lock ` +
              `each time. Blocked by: ${who}. End that session (or wait for it) and run db:migrate again.`,
          );
        }
        const pauseMs = (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        options.log(
          `A lock was not granted within ${options.lockTimeoutMs} ms (blocked by: ${who}); retrying in ${pauseMs} ms`,
        );
        await Bun.sleep(pauseMs);
      } finally {
        await watch.stop();
      }
    }
  } finally {
    // Ending the session releases the advisory lock with it.
    await session.end({ timeout: 5 });
  }
}

/**
 * While a migration attempt runs, looks every 200 ms for the sessions that block it (from a second
 * connection: the migrator's own is busy waiting), so that a lock timeout can name them.
 */
function watchBlockers(url: string, migratorPid: number) {
  const observer = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'conduit db:migrate (observer)' },
  });
  let seen: string[] = [];
  let stopped: Promise<string[]> | undefined;
  const timer = setInterval(async () => {
    try {
      const rows = await observer<{ pid: number; user: string; app: string; state: string; query: string }[]>`
        select pid, usename as user, application_name as app, state, left(query, 200) as query
        from pg_stat_activity where pid = any(pg_blocking_pids(${migratorPid}))`;
      if (rows.length > 0) {
        seen = rows.map(
          (row) => `pid ${row.pid} (user ${row.user}, application "${row.app}", ${row.state}: ${row.query})`,
        );
      }
    } catch {
      // The observer is best effort; the migration's own error is what counts.
    }
  }, 200);
  return {
    stop(): Promise<string[]> {
      stopped ??= (async () => {
        clearInterval(timer);
        await observer.end({ timeout: 1 });
        return seen;
      })();
      return stopped;
    },
  };
}
