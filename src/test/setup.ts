/**
 * Preloaded before every test file (bunfig.toml). Chooses the database the tests run on:
 *
 * - TEST_DATABASE_URL (or DATABASE_URL) set: a fresh database with a unique name is created
 *   on that server, migrated, used by the whole run and dropped at the end.
 * - neither set: an in-memory embedded database, migrated when the app opens it.
 *
 * It must run before anything imports src/core/config.ts, which reads the environment once.
 */
import { afterAll } from 'bun:test';
import postgres from 'postgres';
import { connect } from '../core/connection';

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;

if (serverUrl) {
  const name = `conduit_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);

  const testUrl = new URL(serverUrl);
  testUrl.pathname = `/${name}`;
  process.env.DATABASE_URL = testUrl.toString();

  const migration = connect({ url: testUrl.toString(), poolMax: 1, embeddedDataDir: '' });
  await migration.migrate();
  await migration.close();

  afterAll(async () => {
    const { closeDatabase } = await import('../core/database');
    await closeDatabase();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });
} else {
  process.env.PGLITE_DATA_DIR = 'memory://';
}
