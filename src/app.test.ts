/** `createApp(settings, database)` is the one composition point: apps built on different databases share nothing. */
import { describe, expect, test } from 'bun:test';
import { createApp } from './app';
import { openDatabase } from './core/database';
import { api, uniqueName } from './test/api';
import { testSettings } from './test/app';

describe('createApp', () => {
  test('two apps over two databases in one process: each serves its own data', async () => {
    // A second app, on an embedded database of its own, beside the suite's.
    const settings = testSettings(process.env, { DATABASE_URL: '' });
    const database = await openDatabase(settings);
    try {
      const other = await createApp(settings, database);
      const username = uniqueName('elsewhere');
      const registered = await other.handle(
        new Request('http://localhost/api/users', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: { username, email: `${username}@example.com`, password: 'correct horse' } }),
        }),
      );
      expect(registered.status).toBe(201);

      const there = await other.handle(new Request(`http://localhost/api/profiles/${username}`));
      expect(there.status).toBe(200);
      expect((await api('GET', `/api/profiles/${username}`)).status).toBe(404);
    } finally {
      await database.close();
    }
  }, 120_000);
});
