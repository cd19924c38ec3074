import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { connect } from '../../src/core/connection';
import { DEMO_PASSWORD, seed } from '../../src/seed';
import { api } from '../../src/test/api';
import { testApp } from '../../src/test/app';

const ROOT = resolve(import.meta.dir, '../..');

/** What the demo data looks like from the outside. */
async function snapshot() {
  const [jake, tags, dragon, comments, feed] = await Promise.all([
    api('GET', '/api/articles?author=jake'),
    api('GET', '/api/tags'),
    api('GET', '/api/articles/how-to-train-your-dragon'),
    api('GET', '/api/articles/why-bun-starts-so-fast/comments'),
    api('POST', '/api/users/login', { body: { user: { email: 'jake@conduit.demo', password: DEMO_PASSWORD } } }).then(
      (login) => api('GET', '/api/articles/feed', { token: login.body.user.token }),
    ),
  ]);
  return {
    jakesArticles: jake.body.articlesCount,
    hasTags: ['dragons', 'performance', 'history'].every((tag) => tags.body.tags.includes(tag)),
    dragonFavorites: dragon.body.article.favoritesCount,
    bunComments: comments.body.comments.length,
    jakesFeed: feed.body.articlesCount,
  };
}

function run(script: string, env: Record<string, string>) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return Bun.spawnSync(['bun', script], { cwd: ROOT, env: { ...inherited, ...env }, stdout: 'pipe', stderr: 'pipe' });
}

describe('db:seed', () => {
  test('adds the demo data set, and a rerun changes nothing', async () => {
    const { services } = await testApp();
    await seed(services);
    const first = await snapshot();
    await seed(services);
    const second = await snapshot();

    expect(first).toEqual({ jakesArticles: 2, hasTags: true, dragonFavorites: 2, bunComments: 2, jakesFeed: 4 });
    expect(second).toEqual(first);
  });
});

describe('db:reset', () => {
  test('refuses to run with NODE_ENV=production', () => {
    const result = run('src/reset.ts', {
      NODE_ENV: 'production',
      JWT_SECRET: 'r'.repeat(40),
      PGLITE_DATA_DIR: 'memory://',
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.toString()).toContain('refuses to run with NODE_ENV=production');
  });

  test('empties a seeded database and leaves it migrated', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'conduit-reset-'));
    try {
      expect(run('src/seed.ts', { PGLITE_DATA_DIR: dataDir }).exitCode).toBe(0);
      const reset = run('src/reset.ts', { PGLITE_DATA_DIR: dataDir });
      expect(reset.exitCode).toBe(0);

      const connection = await connect({ embeddedDataDir: dataDir });
      const counts = await connection.db.execute(
        sql`select (select count(*) from users)::int as users, (select count(*) from articles)::int as articles`,
      );
      await connection.close();
      expect((counts as unknown as { rows: unknown[] }).rows).toEqual([{ users: 0, articles: 0 }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
