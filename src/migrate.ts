/**
 * `bun run db:migrate`: applies the pending migrations under drizzle/ to DATABASE_URL,
 * or to the embedded database's folder when DATABASE_URL is unset.
 */
import { config } from './core/config';
import { connect } from './core/connection';

// No statement timeout here: building an index on a large table may rightly take minutes.
const connection = await connect({ ...config.database, statementTimeoutMs: 0 });
try {
  console.log(`Migrating ${connection.target} ...`);
  await connection.migrate();
  console.log('Migrations are up to date.');
} finally {
  await connection.close();
}
