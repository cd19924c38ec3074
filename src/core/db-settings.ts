/**
 * The database settings, apart from the app's: everything that opens a connection (the server, the
 * migration and status commands, drizzle-kit through drizzle.config.ts, the seed) reads this module,
 * so those need only DATABASE_URL, never the app's secrets.
 */
import { ConfigError, type Env, flag, loadOrExit, positiveInteger } from './env';

function percent(env: Env, name: string, fallback: number): number {
  const value = positiveInteger(env, name, fallback);
  if (value > 100) throw new ConfigError(`${name} must be a percentage from 1 to 100, got "${env[name]}"`);
  return value;
}

export function readDatabaseConfig(env: Env) {
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  return {
    /** A PostgreSQL server; when absent, the embedded PGlite database is used. */
    url: env.DATABASE_URL || undefined,
    /**
     * Where the read cache LISTENs for changes (a session of its own on the primary): DATABASE_URL by
     * default; behind PgBouncer in transaction mode, the server or a session-mode pool.
     */
    listenUrl: env.DATABASE_LISTEN_URL || undefined,
    /** Streaming replicas of that server, for reads that need not see the request's own writes. */
    replicaUrls,
    poolMax: positiveInteger(env, 'DB_POOL_MAX', 10),
    /** An operation waits at most this long for a free connection, then its request is answered 503 (./pool-gate.ts). */
    poolWaitMs: positiveInteger(env, 'DB_POOL_WAIT_MS', 1000),
    /** The share of the pool, in percent, that one kind of operation may hold (100: no limit of its own). */
    poolSharePercent: percent(env, 'DB_POOL_SHARE', 50),
    /** A request waits at most this long for a connection to a server that does not answer. */
    connectTimeoutMs: positiveInteger(env, 'DB_CONNECT_TIMEOUT_MS', 1500),
    /** The server cancels any statement that runs longer. */
    statementTimeoutMs: positiveInteger(env, 'DB_STATEMENT_TIMEOUT_MS', 5000),
    /** Where the embedded database keeps its files; `memory://` keeps nothing. */
    embeddedDataDir: env.PGLITE_DATA_DIR || '.data/pglite',
    /** Log each SQL statement (without its parameters) at debug level. */
    logQueries: flag(env, 'DB_LOG'),
    /** DATABASE_URL is a PgBouncer in transaction mode: no named prepared statements, no session settings. */
    pgbouncer: flag(env, 'DB_PGBOUNCER'),
    /** For db:migrate only (src/core/migrator.ts). */
    migration: {
      /** How long a migration statement waits for a table lock before the attempt is given up and retried. */
      lockTimeoutMs: positiveInteger(env, 'DB_MIGRATION_LOCK_TIMEOUT_MS', 5000),
      /** Attempts in all before the migrator gives up on a lock it cannot get. */
      attempts: positiveInteger(env, 'DB_MIGRATION_ATTEMPTS', 5),
    },
  } as const;
}

export type DatabaseConfig = ReturnType<typeof readDatabaseConfig>;

/** The database settings of `env` (the process's environment by default), for commands that need only those. */
export function loadDatabaseSettings(env: Env = process.env): DatabaseConfig {
  return loadOrExit(readDatabaseConfig, env);
}
