/**
 * Opens a Drizzle database over either a PostgreSQL server (postgres.js, pooled) or the
 * embedded PGlite engine. Most code wants the app's shared `db` from ./database.ts instead;
 * this module exists so that the migration command and the test setup can open a
 * connection of their own without starting the app's.
 */
import { randomBytes } from 'node:crypto';
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
  /**
   * Ends the statements this process's connections are running now, for a shutdown: `cancel` fails
   * each (its transaction rolls back; the connection stays), `terminate` ends their sessions too.
   * Resolves with how many there were (always 0 on the embedded database, which nothing can block).
   */
  stopStatements(how: 'cancel' | 'terminate'): Promise<number>;
  /** LISTENs on `channel` on a session of its own (see `Listener`). */
  listen(channel: string, events: ListenEvents): Listener;
  close(): Promise<void>;
}

/** What a `Listener` reports: each message, and when its session starts and stops listening. */
export interface ListenEvents {
  message(payload: string): void;
  /** LISTEN has taken effect: every message committed from now on arrives. */
  listening(): void;
  /** The session is gone (or stuck): messages may have been missed until `listening` comes again. */
  lost(reason: unknown): void;
}

/**
 * A LISTEN on a session of its own, started again (with a short back-off) whenever its session is
 * lost, until closed.
 */
export interface Listener {
  /**
   * One round trip on the listening session. PostgreSQL hands a listening session every message
   * committed before a statement ahead of that statement's answer, so when this resolves, every
   * change committed before the call has been delivered to `message`. Fails (and reports `lost`)
   * when the session does not answer within `timeoutMs`.
   */
  ping(timeoutMs: number): Promise<void>;
  /** Sends each payload on the channel, in one transaction of the listening session (so it hears them too). */
  notify(payloads: string[]): Promise<void>;
  close(): Promise<void>;
}

// TypeScript types a JSON import as its content; imported as a file it is the file's path.
export const MIGRATIONS_FOLDER = dirname(dirname(migrationJournal as unknown as string));

/** Column names are snake_case in SQL and camelCase in TypeScript (drizzle.config.ts says the same). */
export const CASING = 'snake_case';

/** What a connection needs; the app passes config.database, tools and tests only what they change. */
type DatabaseSettings = Omit<DatabaseConfig, 'migration'>;
const TOOL_DEFAULTS: DatabaseSettings = {
  url: undefined,
  replicaUrls: [],
  poolMax: 1,
  poolWaitMs: 1000,
  poolSharePercent: 50,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 0,
  embeddedDataDir: 'memory://',
  logQueries: false,
  pgbouncer: false,
  listenUrl: undefined,
};

/**
 * `queryLogger` sees every statement Drizzle sends (src/core/database.ts passes one for DB_LOG).
 * `announcesWrites`: this process announces its own writes (src/core/change-feed.ts), so its sessions
 * tell the announcing triggers to leave them be (drizzle/0021_announce_after_commit.sql).
 */
export async function connect(
  given: Partial<DatabaseSettings>,
  queryLogger?: Logger,
  { announcesWrites = false } = {},
): Promise<Connection> {
  const settings = { ...TOOL_DEFAULTS, ...given };
  return settings.url
    ? connectServer(settings.url, settings, announcesWrites, queryLogger)
    : connectEmbedded(settings.embeddedDataDir, queryLogger);
}

type ServerSettings = Pick<
  DatabaseSettings,
  'poolMax' | 'connectTimeoutMs' | 'statementTimeoutMs' | 'pgbouncer' | 'listenUrl'
>;

/** Settings sent when each connection opens (not through PgBouncer, which refuses them). */
function sessionSettings(settings: ServerSettings): Record<string, string | number> {
  return {
    statement_timeout: settings.statementTimeoutMs,
    // PostgreSQL does not notice that a client has gone while a statement waits (on a lock, say): a
    // process killed outright would leave its writes to commit whenever the lock is released. With
    // this, the server checks the socket every 2 s while a statement runs, and ends it if nobody is there.
    client_connection_check_interval: 2000,
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

/**
 * The name this process's connections carry (pg_stat_activity.application_name), unique to it so that
 * a shutdown cancels exactly its own statements. PgBouncer passes it on to the server connection a
 * client is using. An operator's own name (`?application_name=` in the URL) comes first.
 */
const processTag = `${process.pid}-${randomBytes(3).toString('hex')}`;
function withSessionName(given: string): { url: string; name: string } {
  if (!given.includes('application_name=')) return { url: given, name: `conduit ${processTag}` };
  const url = new URL(given);
  const name = `${(url.searchParams.get('application_name') || 'conduit').slice(0, 40)} ${processTag}`;
  url.searchParams.delete('application_name');
  return { url: url.toString(), name };
}

function connectServer(given: string, settings: ServerSettings, announcesWrites: boolean, logger?: Logger): Connection {
  const { url, name } = withSessionName(given);
  const client = postgres(url, {
    max: settings.poolMax,
    // Bounded waits: when the server is down or stuck, requests fail fast (503) instead of hanging,
    // and the pool reconnects by itself once it is back.
    connect_timeout: settings.connectTimeoutMs / 1000,
    // Behind PgBouncer in transaction mode, consecutive statements may run on different server
    // connections: named prepared statements would not be found, and PgBouncer refuses session
    // parameters it does not know (application_name it knows, and passes on). Set statement_timeout
    // and client_connection_check_interval on the database role there instead.
    ...(settings.pgbouncer
      ? { prepare: false, connection: { application_name: name } }
      : {
          connection: {
            application_name: name,
            ...sessionSettings(settings),
            ...(announcesWrites ? { 'conduit.announces': 'on' } : {}),
          },
        }),
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
    stopStatements: (how) => stopStatements(url, name, settings, how),
    listen: (channel, events) =>
      listenOnServer(withSessionName(settings.listenUrl ?? given).url, `${name} listener`, settings, channel, events),
    close: () => client.end({ timeout: 5 }),
  };
}

interface ListenOptions {
  onnotify(channel: string, payload: string): void;
}

/** One statement (so one transaction) that sends `count` payloads ($2, $3, ...) on the channel $1. */
function notifyStatement(count: number): string {
  return `select ${Array.from({ length: count }, (_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`;
}

const KEEPALIVE_EVERY_MS = 5000;
const KEEPALIVE_TIMEOUT_MS = 3000;

/** Backs off 0.25 s, 0.5 s, ... up to 5 s between attempts to listen again. */
const relistenDelayMs = (attempt: number) => Math.min(250 * 2 ** attempt, 5000);

function listenOnServer(
  url: string,
  name: string,
  settings: ServerSettings,
  channel: string,
  events: ListenEvents,
): Listener {
  let closed = false;
  let session: postgres.Sql | undefined;
  let starting: Promise<void> | undefined;

  function open(): postgres.Sql {
    // `onnotify` is the option postgres.js's own `listen` is built on; its types leave it out. Its
    // `listen` is not used because its session cannot be asked a question (`ping`).
    const options: postgres.Options<Record<string, never>> & ListenOptions = {
      max: 1,
      prepare: false,
      connect_timeout: settings.connectTimeoutMs / 1000,
      // One long-lived session: never closed for idling or age, which would drop the LISTEN.
      idle_timeout: 0,
      max_lifetime: null,
      // Its transactions only announce changes; a NOTIFY is not durable anyway, so no need to wait for the
      // commit's flush (which would hold the lock that serializes notifying commits all the while).
      connection: { application_name: name, synchronous_commit: 'off' },
      onnotify: (from, payload) => {
        if (from === channel) events.message(payload);
      },
      // A session that closes while it is the current one takes the LISTEN with it (not one ended here).
      onclose: () => {
        if (client === session) restart(new Error('the listening session closed'));
      },
      onnotice: () => {},
    };
    const client: postgres.Sql = postgres(url, options);
    return client;
  }

  async function start(): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      session = open();
      try {
        await session.unsafe(`listen ${channel}`);
        events.listening();
        return;
      } catch (error) {
        events.lost(error);
        await session.end({ timeout: 0 }).catch(() => {});
        await Bun.sleep(relistenDelayMs(attempt));
      }
    }
  }

  function restart(reason: unknown): void {
    if (closed || starting) return;
    events.lost(reason);
    const stale = session;
    starting = (async () => {
      await stale?.end({ timeout: 0 }).catch(() => {});
      await start();
    })().finally(() => {
      starting = undefined;
    });
  }

  starting = start().finally(() => {
    starting = undefined;
  });

  async function ping(timeoutMs: number): Promise<void> {
    const current = session;
    if (!current || starting) throw new Error('not listening');
    let timer: Timer | undefined;
    try {
      await Promise.race([
        current`select 1`,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      if (current === session) restart(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  // A session that died without closing (a host gone, a network cut) says nothing: ask now and then.
  const keepAlive = setInterval(() => {
    if (session && !starting) ping(KEEPALIVE_TIMEOUT_MS).catch(() => {});
  }, KEEPALIVE_EVERY_MS);
  keepAlive.unref();

  return {
    ping,
    async notify(payloads) {
      const current = session;
      if (!current || starting) throw new Error('not listening');
      await current.unsafe(notifyStatement(payloads.length), [channel, ...payloads]);
    },
    async close() {
      closed = true;
      clearInterval(keepAlive);
      await starting?.catch(() => {});
      await session?.end({ timeout: 1 }).catch(() => {});
    },
  };
}

/**
 * Cancels (or terminates) the server's sessions named `name` that are busy, from a connection of its
 * own (the pool's may all be taken): a statement waiting on a lock would otherwise still commit once
 * the lock is released, long after its client was told nothing. Works through PgBouncer as well.
 */
async function stopStatements(
  url: string,
  name: string,
  settings: ServerSettings,
  how: 'cancel' | 'terminate',
): Promise<number> {
  const admin = postgres(url, {
    max: 1,
    prepare: false,
    connect_timeout: settings.connectTimeoutMs / 1000,
    connection: { application_name: `${name} shutdown` },
    onnotice: () => {},
  });
  try {
    // A cancel reaches only a running statement; a session idle in a transaction rolls back when its
    // connection closes. Terminating ends any session still busy, whatever it is doing.
    const [stop, busy] = how === 'cancel' ? ['pg_cancel_backend', `= 'active'`] : ['pg_terminate_backend', `<> 'idle'`];
    const rows = await admin.unsafe<{ stopped: boolean }[]>(
      `select ${stop}(pid) as stopped from pg_stat_activity
        where application_name = $1 and state ${busy} and pid <> pg_backend_pid()`,
      [name],
    );
    return rows.filter((row) => row.stopped).length;
  } finally {
    await admin.end({ timeout: 1 });
  }
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
    stopStatements: async () => 0,
    listen: (channel, events) => listenEmbedded(client, channel, events),
    close: () => client.close(),
  };
}

/** The embedded engine is in this process: its messages arrive with the answer of the statement that commits them. */
function listenEmbedded(client: PGlite, channel: string, events: ListenEvents): Listener {
  const unlisten = client.listen(channel, (payload) => events.message(payload));
  unlisten.then(
    () => events.listening(),
    (error) => events.lost(error),
  );
  return {
    async ping() {
      await unlisten;
      await client.query('select 1');
    },
    async notify(payloads) {
      await client.query(notifyStatement(payloads.length), [channel, ...payloads]);
    },
    async close() {
      if (client.closed) return;
      await (await unlisten)().catch(() => {});
    },
  };
}

/** The app's tables live in `public` and Drizzle's migration records in `drizzle`. */
async function dropEverything(db: Database): Promise<void> {
  await db.execute(sql`drop schema if exists drizzle cascade`);
  await db.execute(sql`drop schema if exists public cascade`);
  await db.execute(sql`create schema public`);
}
