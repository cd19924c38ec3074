/**
 * The databases the app uses. Only repositories (and tests) import this module.
 *
 * Without DATABASE_URL this is the embedded PGlite database, and its pending migrations
 * are applied here so that a fresh clone starts with no setup. A PostgreSQL server is
 * migrated by the operator (`bun run db:migrate`), never implicitly by the app.
 *
 * Reads and writes go to the primary, `db`. A repository opts a read into the replicas
 * (DATABASE_REPLICA_URLS) by asking for them by name, where a little lag cannot matter to its
 * caller: `preparedOn(...)('replicas')`. Nothing is routed by guessing from the SQL.
 */

import { config } from './config';
import { connect, type Database, type ReadFrom } from './connection';
import { logger } from './logger';

// DB_LOG=true logs each statement's SQL, never its parameters (they hold emails and password hashes).
const queryLogger = config.database.logQueries
  ? { logQuery: (sql: string) => logger.info({ sql }, 'query') }
  : undefined;
const primary = await connect(config.database, queryLogger);
if (!config.database.url) await primary.migrate();

const replicas = await Promise.all(
  config.database.replicaUrls.map((url) => connect({ ...config.database, url }, queryLogger)),
);

/** The primary: every write, and every read that must see the latest write. */
export const db: Database = primary.db;

/**
 * Prepares a statement once on each database it may run on, and hands out, per execution, the
 * primary's or the next replica's in turn, so that every replica serves its share.
 */
export function preparedOn<Statement>(prepare: (database: Database) => Statement): (readFrom: ReadFrom) => Statement {
  const onPrimary = prepare(primary.db);
  const onReplicas = replicas.map((replica) => prepare(replica.db));
  let turn = 0;
  return (readFrom) => {
    if (readFrom === 'primary' || onReplicas.length === 0) return onPrimary;
    turn = (turn + 1) % onReplicas.length;
    return onReplicas[turn] as Statement;
  };
}

export const databaseTarget =
  replicas.length > 0 ? `${primary.target}, reads from ${replicas.length} replica(s)` : primary.target;

export async function closeDatabase(): Promise<void> {
  await Promise.all([primary.close(), ...replicas.map((replica) => replica.close())]);
}
