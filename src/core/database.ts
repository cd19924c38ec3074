/**
 * The one database the app uses. Only repositories (and tests) import it.
 *
 * Without DATABASE_URL this is the embedded PGlite database, and its pending migrations
 * are applied here so that a fresh clone starts with no setup. A PostgreSQL server is
 * migrated by the operator (`bun run db:migrate`), never implicitly by the app.
 */

import { withReplicas } from 'drizzle-orm/pg-core';
import { config } from './config';
import { connect, type Database } from './connection';
import { logger } from './logger';

// DB_LOG=true logs each statement's SQL, never its parameters (they hold emails and password hashes).
const queryLogger = config.database.logQueries
  ? { logQuery: (sql: string) => logger.info({ sql }, 'query') }
  : undefined;
const connection = await connect(config.database, queryLogger);
if (!config.database.url) await connection.migrate();

const replicas = await Promise.all(
  config.database.replicaUrls.map((url) => connect({ ...config.database, url }, queryLogger)),
);
const [firstReplica, ...otherReplicas] = replicas.map((replica) => replica.db);

/**
 * Reads that may lag a little (lists, pages, anything not right after this request's own write) go
 * to a replica when DATABASE_REPLICA_URLS names some; writes and transactions always go to the
 * primary. With no replicas, this is simply the one database.
 */
export const db: Database = firstReplica
  ? (withReplicas(connection.db, [firstReplica, ...otherReplicas]) as unknown as Database)
  : connection.db;

/** The primary itself: for reads that must see what this request (or a previous one) just wrote. */
export const primaryDb: Database = connection.db;

export const databaseTarget =
  replicas.length > 0 ? `${connection.target}, reads from ${replicas.length} replica(s)` : connection.target;

export async function closeDatabase(): Promise<void> {
  await Promise.all([connection.close(), ...replicas.map((replica) => replica.close())]);
}
