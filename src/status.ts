/**
 * `bun run db:status`: lists the migrations under drizzle/ as applied or pending on DATABASE_URL (or
 * the embedded database), and exits 1 when an applied migration's file was edited after it ran, or
 * the database has a migration the folder lacks (db:migrate refuses to run then). Needs only the
 * database settings.
 */
import { connect, MIGRATIONS_FOLDER } from './core/connection';
import { databaseConfig } from './core/database-config';
import { migrationFiles, migrationStatus, refusal } from './core/migrator';

const connection = await connect({ ...databaseConfig, poolMax: 1 });
try {
  const status = await migrationStatus(connection.db, migrationFiles(MIGRATIONS_FOLDER));
  const edited = new Set(status.edited.map((file) => file.tag));
  const pending = new Set(status.pending.map((file) => file.tag));
  console.log(`Migrations of ${connection.target}:`);
  for (const file of migrationFiles(MIGRATIONS_FOLDER)) {
    const state = edited.has(file.tag) ? 'EDITED ' : pending.has(file.tag) ? 'pending' : 'applied';
    console.log(`  ${state}  ${file.tag}`);
  }
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
