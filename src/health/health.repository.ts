import { MIGRATIONS_FOLDER } from '../core/connection';
import { closeDatabase, databaseTarget, primaryDb } from '../core/database';
import { logger } from '../core/logger';
import { migrationFiles, migrationStatus } from '../core/migrator';

/** The migrations this version was built with (read once: they ship with the code). */
const files = migrationFiles(MIGRATIONS_FOLDER);

/**
 * The migrations this version expects that the database has not applied, from the primary (where
 * db:migrate writes); undefined when the database does not answer. One small query: readiness
 * probes run it every few seconds.
 */
export async function pendingMigrations(): Promise<string[] | undefined> {
  try {
    const status = await migrationStatus(primaryDb, files);
    return status.pending.map((file) => file.tag);
  } catch (error) {
    // An outage, or a database role that may not read drizzle's records: say which, now and then.
    warnNotReady(error);
    return undefined;
  }
}

let lastWarning = 0;
function warnNotReady(error: unknown): void {
  if (Date.now() - lastWarning < 10_000) return;
  lastWarning = Date.now();
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  logger.warn(
    { cause: root instanceof Error ? root.message : String(root) },
    'not ready: the migration records could not be read',
  );
}

/** Where the data lives, for the start-up line; never includes a password. */
export function databaseDescription(): string {
  return databaseTarget;
}

/** Closes the pool (or the embedded engine) once the server has stopped taking requests. */
export function disconnectDatabase(): Promise<void> {
  return closeDatabase();
}
