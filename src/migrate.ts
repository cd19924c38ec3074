/**
 * `bun run db:migrate`: applies the pending migrations under drizzle/ to DATABASE_URL,
 * or to the embedded database's folder when DATABASE_URL is unset.
 */
import { config } from './core/config';
import { connect } from './core/connection';

const connection = connect(config.database);
try {
  console.log(`Migrating ${connection.target} ...`);
  await connection.migrate();
  console.log('Migrations are up to date.');
} finally {
  await connection.close();
}
