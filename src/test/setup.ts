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
import { createTestDatabase } from './database';

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;

if (serverUrl) {
  const database = await createTestDatabase(serverUrl);
  process.env.DATABASE_URL = database.url;

  afterAll(async () => {
    const { closeDatabase } = await import('../core/database');
    await closeDatabase();
    await database.drop();
  });
} else {
  process.env.PGLITE_DATA_DIR = 'memory://';
}

// The suite sends many registrations from one address; the limit itself is tested on its own.
process.env.AUTH_RATE_LIMIT ??= '0';
// Fixtures write far more per account than anyone would; the limit is tested on its own (src/core/rate-limit.test.ts, ops/system).
process.env.WRITE_RATE_LIMIT ??= '0';
// One line per request would bury the test report; harnesses that read logs start servers of their own.
process.env.LOG_LEVEL ??= 'silent';
