/**
 * `bun run db:reset`: drops every table of the database (DATABASE_URL, or the embedded one) and
 * migrates it afresh. Refuses to run when NODE_ENV=production.
 */
import { loadSettings } from './core/config';
import { connect } from './core/connection';

export async function main(): Promise<void> {
  const settings = loadSettings();
  if (settings.production) {
    console.error('db:reset refuses to run with NODE_ENV=production: it would delete all data.');
    process.exit(1);
  }

  const connection = await connect({ ...settings.database, statementTimeoutMs: 0 });
  try {
    console.log(`Resetting ${connection.target}: dropping everything ...`);
    await connection.dropEverything();
    console.log('Applying the migrations ...');
    await connection.migrate();
    console.log('Done: the database is empty and up to date. `bun run db:seed` adds demo data.');
  } finally {
    await connection.close();
  }
}

if (import.meta.main) await main();
