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
import { logger, warnNowAndThen } from './logger';
import { closePoolGates, poolState } from './pool-gate';

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

/**
 * For a shutdown whose grace period is over: no operation starts any more (those waiting for a
 * connection are answered 503), and the statements still running are cancelled, so that each fails
 * (its request answers 503) and nothing of theirs commits after the process has stopped answering.
 * Cancels again while operations are still in flight (one may have started its next statement
 * meanwhile); whatever is left when `budgetMs` is nearly spent has its session terminated.
 */
export async function stopDatabaseWork(budgetMs: number): Promise<void> {
  closePoolGates();
  const deadline = performance.now() + budgetMs;
  const connections = [primary, ...replicas];
  const stop = (how: 'cancel' | 'terminate') =>
    Promise.all(connections.map((connection) => connection.stopStatements(how))).catch((error) => {
      warnNowAndThen(`shutdown: the running statements could not be stopped (${how})`, error, 0);
    });
  const settled = () => poolState().inUse === 0;
  while (!settled() && performance.now() < deadline - 300) {
    await stop('cancel');
    for (let until = performance.now() + 250; !settled() && performance.now() < until; ) await Bun.sleep(10);
  }
  if (!settled()) await stop('terminate');
}

export async function closeDatabase(): Promise<void> {
  await Promise.all([primary.close(), ...replicas.map((replica) => replica.close())]);
}
