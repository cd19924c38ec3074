/**
 * The one database the app uses. Only repositories (and tests) import it.
 *
 * Without DATABASE_URL this is the embedded PGlite database, and its pending migrations
 * are applied here so that a fresh clone starts with no setup. A PostgreSQL server is
 * migrated by the operator (`bun run db:migrate`), never implicitly by the app.
 */
import { config } from './config';
import { connect } from './connection';
import { logger } from './logger';

// DB_LOG=true logs each statement's SQL, never its parameters (they hold emails and password hashes).
const queryLogger = config.database.logQueries
  ? { logQuery: (sql: string) => logger.info({ sql }, 'query') }
  : undefined;
const connection = await connect(config.database, queryLogger);

if (!config.database.url) await connection.migrate();

export const db = connection.db;
export const databaseTarget = connection.target;
export const closeDatabase = connection.close;
