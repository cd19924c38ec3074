/**
 * `bun run db:migrate`: applies the pending migrations under drizzle/ to DATABASE_URL, or to the
 * embedded database's folder when DATABASE_URL is unset. Needs only the database settings.
 *
 * On a server it serializes with any other migrator on an advisory lock, waits at most
 * DB_MIGRATION_LOCK_TIMEOUT_MS for each table lock (retrying DB_MIGRATION_ATTEMPTS times), and
 * refuses to run when the database's records do not match the folder (see src/core/migrator.ts).
 */
import { connect, MIGRATIONS_FOLDER, serverTarget } from './core/connection';
import { type DatabaseConfig, loadDatabaseSettings } from './core/db-settings';
import { assertMigratable, MigrationError, migrateServer, migrationFiles, migrationStatus } from './core/migrator';

async function migrateEmbedded(settings: DatabaseConfig): Promise<string[]> {
  // No lock needed: an embedded database's folder is open in one process at a time.
  const connection = await connect({ ...settings, statementTimeoutMs: 0 });
  try {
    console.log(`Migrating ${connection.target} ...`);
    const status = await migrationStatus(connection.db, migrationFiles(MIGRATIONS_FOLDER));
    assertMigratable(status);
    await connection.migrate();
    return status.pending.map((file) => file.tag);
  } finally {
    await connection.close();
  }
}

export async function main(): Promise<void> {
  const settings = loadDatabaseSettings();
  const { url, migration } = settings;
  try {
    let applied: string[];
    if (url) {
      console.log(`Migrating ${serverTarget(url)} ...`);
      const files = await migrateServer(url, { folder: MIGRATIONS_FOLDER, ...migration, log: console.log });
      applied = files.map((file) => file.tag);
    } else {
      applied = await migrateEmbedded(settings);
    }
    console.log(
      applied.length > 0 ? `Applied ${applied.join(', ')}.` : 'Nothing to apply: the database is up to date.',
    );
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

if (import.meta.main) await main();
