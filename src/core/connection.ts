/**
 * Opens a Drizzle database over either a PostgreSQL server (postgres.js, pooled) or the
 * embedded PGlite engine. Most code wants the app's shared `db` from ./database.ts instead;
 * this module exists so that the migration command and the test setup can open a
 * connection of their own without starting the app's.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import initdbWasm from '@electric-sql/pglite/initdb.wasm' with { type: 'file' };
import pgliteData from '@electric-sql/pglite/pglite.data' with { type: 'file' };
import pgliteWasm from '@electric-sql/pglite/pglite.wasm' with { type: 'file' };
import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
// Imported as files, not modules: in source these are their paths on disk; in the single-file
// executable (`bun run build`) the bundler embeds them and these are their embedded paths.
import migrationJournal from '../../drizzle/meta/_journal.json' with { type: 'file' };
import type { DatabaseConfig } from './db-settings';

/** What every repository programs against: the query builder common to both drivers. */
export type Database = PgDatabase<PgQueryResultHKT>;

/**
 * Where a read may run: `primary` sees every committed write; `replicas` spreads reads over the
 * streaming replicas (the primary when there are none), which may lag the primary a little.
 * (Here rather than in ./database.ts so that services, which may not import that, can name it.)
 */
export type ReadFrom = 'primary' | 'replicas';

export interface Connection {
  db: Database;
  /** Human-readable target, with any password left out. */
  target: string;
  /** Applies the pending migrations under drizzle/. */
  /** (`folder`: another migrations folder, for the test that replays an upgrade step by step.) */
  migrate(folder?: string): Promise<void>;
  /** Drops every table, view and migration record in the database; `migrate()` rebuilds them. */
  dropEverything(): Promise<void>;
  close(): Promise<void>;
}

// TypeScript types a JSON import as its content; imported as a file it is the file's path.
export const MIGRATIONS_FOLDER = dirname(dirname(migrationJournal as unknown as string));

/** Column names are snake_case in SQL and camelCase in TypeScript (drizzle.config.ts says the same). */
const CASING = 'snake_case';

/** What a connection needs; the app passes config.database, tools and tests only what they change. */
type DatabaseSettings = Omit<DatabaseConfig, 'migration'>;
const TOOL_DEFAULTS: DatabaseSettings = {
  url: undefined,
  replicaUrls: [],
  poolMax: 1,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 0,
  embeddedDataDir: 'memory://',
  logQueries: false,
  pgbouncer: false,
};

/** `queryLogger` sees every statement Drizzle sends (src/core/database.ts passes one for DB_LOG). */
export async function connect(given: Partial<DatabaseSettings>, queryLogger?: Logger): Promise<Connection> {
  const settings = { ...TOOL_DEFAULTS, ...given };
  return settings.url
    ? connectServer(settings.url, settings, queryLogger)
    : connectEmbedded(settings.embeddedDataDir, queryLogger);
}

type ServerSettings = Pick<DatabaseSettings, 'poolMax' | 'connectTimeoutMs' | 'statementTimeoutMs' | 'pgbouncer'>;

/** Settings sent when each connection opens (not through PgBouncer, which refuses them). */
function sessionSettings(settings: ServerSettings): Record<string, string | number> {
  return {
    statement_timeout: settings.statementTimeoutMs,
    // Plan each prepared statement once per connection. The hot statements are index walks whose
    // best plan does not depend on the values (a tag's articles come off the tag's own index), and
    // re-planning them on every execution cost more than executing them.
    plan_cache_mode: 'force_generic_plan',
    // A generic plan's cost estimate assumes a tenth of the table per page; that would trigger JIT
    // compilation on every execution (tens of milliseconds) for statements that run in one.
    jit: 'off',
  };
}

/** A server's address for messages, without the user or password. */
export function serverTarget(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  return `PostgreSQL at ${hostname}:${port || 5432}${pathname}`;
}

function connectServer(url: string, settings: ServerSettings, logger?: Logger): Connection {
  const client = postgres(url, {
    max: settings.poolMax,
    // Bounded waits: when the server is down or stuck, requests fail fast (503) instead of hanging,
    // and the pool reconnects by itself once it is back.
    connect_timeout: settings.connectTimeoutMs / 1000,
    // Behind PgBouncer in transaction mode, consecutive statements may run on different server
    // connections: named prepared statements would not be found, and PgBouncer refuses session
    // parameters it does not know. Set statement_timeout on the database role there instead.
    ...(settings.pgbouncer ? { prepare: false } : { connection: sessionSettings(settings) }),
    // postgres.js holds queued queries while it waits to reconnect, by default up to 20 s between
    // attempts; a short, capped wait keeps each request's answer (503 or success) well under 2 s.
    backoff: (retries) => Math.min(0.05 * retries, 0.25),
    idle_timeout: 30,
    max_lifetime: 60 * 30,
    onnotice: () => {},
  });
  const db = drizzlePostgres({ client, casing: CASING, logger });
  return {
    db,
    target: serverTarget(url),
    migrate: (folder = MIGRATIONS_FOLDER) => migratePostgres(db, { migrationsFolder: folder }),
    dropEverything: () => dropEverything(db),
    close: () => client.end({ timeout: 5 }),
  };
}

async function connectEmbedded(dataDir: string, logger?: Logger): Promise<Connection> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // PGlite's engine and data files, loaded from where the imports above put them (works both
  // from source and from the single-file executable, where PGlite could not find them itself).
  const compile = async (path: string) => WebAssembly.compile(await Bun.file(path).arrayBuffer());
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile(pgliteWasm), compile(initdbWasm)]);
  const client = new PGlite(dataDir, { pgliteWasmModule, initdbWasmModule, fsBundle: Bun.file(pgliteData) });
  const db = drizzlePglite({ client, casing: CASING, logger });
  return {
    db,
    target: inMemory ? 'embedded PostgreSQL (in memory)' : `embedded PostgreSQL in ${dataDir}`,
    migrate: (folder = MIGRATIONS_FOLDER) => migratePglite(db, { migrationsFolder: folder }),
    dropEverything: () => dropEverything(db),
    close: () => client.close(),
  };
}

/** The app's tables live in `public` and Drizzle's migration records in `drizzle`. */
async function dropEverything(db: Database): Promise<void> {
  await db.execute(sql`drop schema if exists drizzle cascade`);
  await db.execute(sql`drop schema if exists public cascade`);
  await db.execute(sql`create schema public`);
}
