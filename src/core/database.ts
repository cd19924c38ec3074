/**
 * The databases an app uses, opened by `openDatabase` (the server, the seed, tests and the benchmark
 * call it before `createApp`). Only repositories (and the code that composes the app) use the result.
 *
 * Without DATABASE_URL this is the embedded PGlite database, and its pending migrations are applied
 * when it opens, so that a fresh clone starts with no setup. A PostgreSQL server is migrated by the
 * operator (`bun run db:migrate`), never implicitly by the app.
 *
 * Reads and writes go to the primary, `db`. A repository opts a read into the replicas
 * (DATABASE_REPLICA_URLS) by asking for them by name, where a little lag cannot matter to its
 * caller: `preparedOn(...)('replicas')`. Nothing is routed by guessing from the SQL.
 */
import type { Settings } from './config';
import { type Connection, connect, type Database, type ListenEvents, type Listener, type ReadFrom } from './connection';
import { logger, warnNowAndThen } from './logger';
import { type Admit, operationAdmission } from './metrics';
import { PoolGates } from './pool-gate';

export interface AppDatabase {
  /** The primary: every write, and every read that must see the latest write. */
  readonly db: Database;
  /**
   * Prepares a statement once on each database it may run on, and hands out, per execution, the
   * primary's or the next replica's in turn, so that every replica serves its share.
   */
  preparedOn<Statement>(prepare: (database: Database) => Statement): (readFrom: ReadFrom) => Statement;
  /** Starts one repository operation at the pool gate (see `operationAdmission` in ./metrics.ts). */
  readonly admit: Admit;
  readonly pools: PoolGates;
  /** Where the data lives, for the start-up line; never includes a password. */
  readonly target: string;
  /**
   * For a shutdown whose grace period is over: no operation starts any more (those waiting for a
   * connection are answered 503), and the statements still running are cancelled, so that each fails
   * (its request answers 503) and nothing of theirs commits after the process has stopped answering.
   * Cancels again while operations are still in flight (one may have started its next statement
   * meanwhile); whatever is left when `budgetMs` is nearly spent has its session terminated.
   */
  stopWork(budgetMs: number): Promise<void>;
  /** LISTENs on the primary, on a session of its own (DATABASE_LISTEN_URL when set); closed with the database. */
  listen(channel: string, events: ListenEvents): Listener;
  close(): Promise<void>;
}

type DatabaseSettings = Pick<Settings, 'database' | 'metrics' | 'tracing' | 'cache'>;

/** Connects to the primary and the replicas of `settings`, and migrates the embedded database. */
export async function openDatabase({
  database: settings,
  metrics,
  tracing,
  cache,
}: DatabaseSettings): Promise<AppDatabase> {
  // DB_LOG=true logs each statement's SQL, never its parameters (they hold emails and password hashes).
  const queryLogger = settings.logQueries ? { logQuery: (sql: string) => logger.info({ sql }, 'query') } : undefined;
  // With the read cache on, the app announces its own writes (src/core/change-feed.ts).
  const primary = await connect(settings, queryLogger, { announcesWrites: cache.enabled });
  if (!settings.url) await primary.migrate();
  const replicas = await Promise.all(settings.replicaUrls.map((url) => connect({ ...settings, url }, queryLogger)));
  const pools = new PoolGates(settings);
  const admission = operationAdmission(pools, { metrics: metrics.enabled, tracing: tracing.enabled });

  const listeners = new Set<Listener>();
  return {
    db: primary.db,
    preparedOn(prepare) {
      const onPrimary = prepare(primary.db);
      const onReplicas = replicas.map((replica) => prepare(replica.db));
      let turn = 0;
      return (readFrom) => {
        if (readFrom === 'primary' || onReplicas.length === 0) return onPrimary;
        turn = (turn + 1) % onReplicas.length;
        return onReplicas[turn] as (typeof onReplicas)[number];
      };
    },
    admit: admission.admit,
    pools,
    target: replicas.length > 0 ? `${primary.target}, reads from ${replicas.length} replica(s)` : primary.target,
    stopWork: (budgetMs) => stopWork([primary, ...replicas], pools, budgetMs),
    listen(channel, events) {
      const listener = primary.listen(channel, events);
      listeners.add(listener);
      return listener;
    },
    async close() {
      admission.forget();
      await Promise.all([...listeners].map((listener) => listener.close()));
      await Promise.all([primary.close(), ...replicas.map((replica) => replica.close())]);
    },
  };
}

async function stopWork(connections: Connection[], pools: PoolGates, budgetMs: number): Promise<void> {
  pools.close();
  const deadline = performance.now() + budgetMs;
  const stop = (how: 'cancel' | 'terminate') =>
    Promise.all(connections.map((connection) => connection.stopStatements(how))).catch((error) => {
      warnNowAndThen(`shutdown: the running statements could not be stopped (${how})`, error, 0);
    });
  const settled = () => pools.state().inUse === 0;
  while (!settled() && performance.now() < deadline - 300) {
    await stop('cancel');
    for (let until = performance.now() + 250; !settled() && performance.now() < until; ) await Bun.sleep(10);
  }
  if (!settled()) await stop('terminate');
}
