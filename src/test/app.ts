/**
 * The app the fast suite drives, built once per test process (`bun test` runs every file in one) by
 * `createApp`, like the server's, over the run's own database:
 *
 * - TEST_DATABASE_URL (or DATABASE_URL) set: a fresh database with a unique name on that server,
 *   migrated, used by the whole run and dropped at the end (src/test/setup.ts);
 * - neither set: an in-memory embedded database, migrated as it opens.
 *
 * The preload (./setup.ts) builds it before the first test; nothing in the environment changes, and a
 * test that needs other settings builds an app of its own with `createApp`.
 */
import { type App, assemble, createApp, type Parts, type Repositories, type Services } from '../app';
import { readConfig, type Settings } from '../core/config';
import { type Connection, connect, type Database } from '../core/connection';
import { type AppDatabase, openDatabase } from '../core/database';
import type { Env } from '../core/env';
import { configureLogger } from '../core/logger';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestApp {
  app: App;
  database: AppDatabase;
  settings: Settings;
  /** The services the app serves, and the repositories under them (a test may watch one with spyOn). */
  services: Services;
  repositories: Repositories;
  /** The app's read cache and the feed of changes it follows. */
  readCache: Parts['readCache'];
}

/** The suite's settings: the environment's, with the limits and logging a test run needs. */
export function testSettings(env: Env = process.env, overrides: Env = {}): Settings {
  return readConfig({
    // The suite sends many registrations from one address; the limit itself is tested on its own.
    AUTH_RATE_LIMIT: '0',
    // Fixtures write far more per account than anyone would; the limit is tested on its own (src/core/rate-limit.test.ts, ops/system).
    WRITE_RATE_LIMIT: '0',
    // One line per request would bury the test report; harnesses that read logs start servers of their own.
    LOG_LEVEL: 'silent',
    ...env,
    PGLITE_DATA_DIR: 'memory://',
    ...overrides,
  });
}

/** The server the run's database lives on, if any. */
export function testServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

let created: TestDatabase | undefined;
let built: Promise<TestApp> | undefined;

async function build(): Promise<TestApp> {
  const serverUrl = testServerUrl();
  created = serverUrl ? await createTestDatabase(serverUrl) : undefined;
  const settings = testSettings(process.env, { DATABASE_URL: created?.url ?? '' });
  configureLogger(settings);
  const database = await openDatabase(settings);
  const parts = assemble(settings, database);
  return { app: await createApp(settings, database, parts), database, settings, ...parts };
}

/** The run's app, database and settings. */
export function testApp(): Promise<TestApp> {
  built ??= build();
  return built;
}

/** At the end of the run (src/test/setup.ts): closes the app's database and drops it when the run created it. */
export async function closeTestApp(): Promise<void> {
  if (!built) return;
  const { database } = await built;
  await (await operatorConnection)?.close();
  await database.close();
  await created?.drop();
}

let operatorConnection: Promise<Connection | undefined> | undefined;

/**
 * The run's database as an operator's session sees it: not one of the app's, whose writes the app
 * announces itself (src/core/change-feed.ts); an operator's are announced by the triggers. (The
 * embedded database has one session: the app's, whose writes the triggers announce as well.)
 */
export async function operatorDb(): Promise<Database> {
  const { database, settings } = await testApp();
  const { url, pgbouncer } = settings.database;
  operatorConnection ??= url ? connect({ url, pgbouncer }) : Promise.resolve(undefined);
  return (await operatorConnection)?.db ?? database.db;
}

/**
 * Resolves once every change committed so far has reached the suite's read cache: what a test awaits
 * after writing with SQL of its own (as an operator would), which the cache learns of by NOTIFY.
 */
export async function changesSeen(): Promise<void> {
  await (await testApp()).readCache.changes?.caughtUp();
}
