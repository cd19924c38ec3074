/**
 * `bun run db:reset`: drops every table of the database (DATABASE_URL, or the embedded one) and
 * migrates it afresh. Refuses to run when NODE_ENV=production.
 */
import { config } from './core/config';
import { connect } from './core/connection';

if (config.production) {
  console.error('db:reset refuses to run with NODE_ENV=production: it would delete all data.');
  process.exit(1);
}

const connection = await connect({ ...config.database, statementTimeoutMs: 0 });
try {
  console.log(`Resetting ${connection.target}: dropping everything ...`);
  await connection.dropEverything();
  console.log('Applying the migrations ...');
  await connection.migrate();
  console.log('Done: the database is empty and up to date. `bun run db:seed` adds demo data.');
} finally {
  await connection.close();
}
