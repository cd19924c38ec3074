/** `bun run build` makes one self-contained executable: engine, migrations and all. */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitUntilAnswering } from '../lib/server';

const ROOT = resolve(import.meta.dir, '../..');

describe('the single-file executable', () => {
  test('builds, migrates and serves the API on its embedded database, from any folder', async () => {
    // Compiling takes a while on a loaded machine; the test's own budget is bun test's --timeout.
    const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
    expect(build.exitCode).toBe(0);

    const workdir = mkdtempSync(join(tmpdir(), 'conduit-binary-'));
    const binary = join(ROOT, 'dist/conduit');
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const port = await freePort();
    const server = Bun.spawn([binary], {
      cwd: workdir,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdout: 'ignore',
      stderr: 'inherit',
    });
    try {
      const origin = `http://127.0.0.1:${port}`;
      // The 125 MB binary starts its embedded database first: on a busy machine that took 31 s.
      await waitUntilAnswering(`${origin}/ready`, server);
      const registered = await fetch(`${origin}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { username: 'binary', email: 'binary@example.com', password: 'password' } }),
      });
      expect(registered.status).toBe(201);
      expect((await fetch(`${origin}/docs/json`)).status).toBe(200);
      // The docs viewer's script is embedded too (src/core/docs-page.ts).
      const viewer = /<script src="([^"]+)"/.exec(await (await fetch(`${origin}/docs`)).text())?.[1] ?? 'none';
      const script = await fetch(`${origin}${viewer}`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect((await script.bytes()).length).toBeGreaterThan(1_000_000);

      const usage = Bun.spawnSync([binary, 'unknown-command'], { cwd: workdir, stderr: 'pipe' });
      expect(usage.exitCode).toBe(2);
      expect(usage.stderr.toString()).toContain('Usage: conduit [serve | migrate]');
    } finally {
      server.kill('SIGTERM');
      await server.exited;
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});
