import { MIGRATIONS_FOLDER } from '../core/connection';
import { closeDatabase, databaseTarget, db, stopDatabaseWork } from '../core/database';
import { warnNowAndThen } from '../core/logger';
import { admitDbOperation } from '../core/metrics';
import { migrationFiles, migrationStatus } from '../core/migrator';

/** The migrations this version was built with (read once: they ship with the code). */
const files = migrationFiles(MIGRATIONS_FOLDER);

/**
 * The migrations this version expects that the database has not applied, from the primary (where
 * db:migrate writes); undefined when the database does not answer. One small query: readiness
 * probes run it every few seconds. Like any operation it waits for a connection at most
 * DB_POOL_WAIT_MS (then throws the PoolRefusal, 503): never behind statements stuck on a lock.
 */
export async function pendingMigrations(): Promise<string[] | undefined> {
  using _operation = await admitDbOperation('health.pendingMigrations', 'primary');
  try {
    const status = await migrationStatus(db, files);
    return status.pending.map((file) => file.tag);
  } catch (error) {
    // An outage, or a database role that may not read drizzle's records: say which, now and then.
    warnNowAndThen('not ready: the migration records could not be read', error, 10_000);
    return undefined;
  }
}

/** Where the data lives, for the start-up line; never includes a password. */
export function databaseDescription(): string {
  return databaseTarget;
}

/** A shutdown's grace period is over: cancel what still runs on the database (see stopDatabaseWork). */
export function stopRunningStatements(budgetMs: number): Promise<void> {
  return stopDatabaseWork(budgetMs);
}

/** Closes the pool (or the embedded engine) once the server has stopped taking requests. */
export function disconnectDatabase(): Promise<void> {
  return closeDatabase();
}
