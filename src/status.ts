/**
 * `bun run db:status`: lists the migrations under drizzle/ as applied or pending on DATABASE_URL (or
 * the embedded database), and exits 1 when an applied migration's file was edited after it ran, the
 * database has a migration the folder lacks, or a pending one is older than the newest applied (it
 * would never run): db:migrate refuses to run then. Needs only the database settings.
 */
import { connect, MIGRATIONS_FOLDER } from './core/connection';
import { loadDatabaseSettings } from './core/db-settings';
import { type MigrationFile, migrationFiles, migrationStatus, refusal } from './core/migrator';

export async function main(): Promise<void> {
  const connection = await connect({ ...loadDatabaseSettings(), poolMax: 1 });
  try {
    const files = migrationFiles(MIGRATIONS_FOLDER);
    const status = await migrationStatus(connection.db, files);
    const label = (file: MigrationFile): string => {
      if (status.edited.includes(file)) return 'EDITED ';
      if (status.outOfOrder.includes(file)) return 'BEHIND ';
      return status.pending.includes(file) ? 'pending' : 'applied';
    };
    console.log(`Migrations of ${connection.target}:`);
    for (const file of files) console.log(`  ${label(file)}  ${file.tag}`);
    for (const record of status.unknown) {
      console.log(`  UNKNOWN  applied to the database, not in drizzle/ (created_at ${record.createdAt})`);
    }
    console.log(`${status.applied.length} applied, ${status.pending.length} pending`);
    const refused = refusal(status);
    if (refused) {
      console.error(`The database and drizzle/ disagree: ${refused}. db:migrate refuses to run until they match.`);
      process.exitCode = 1;
    }
  } finally {
    await connection.close();
  }
}

if (import.meta.main) await main();
