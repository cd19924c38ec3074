/** WORKERS=N: several server processes on one port, supervised. */
import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { readConfig } from '../../src/core/config';
import { testApp } from '../../src/test/app';
import { startServer } from '../lib/server';

const ROOT = resolve(import.meta.dir, '../..');
/** The test run's own database on a server, when there is one (src/test/app.ts). */
const serverDatabase = (await testApp()).settings.database.url;

function children(pid: number): number[] {
  const out = Bun.spawnSync(['pgrep', '-P', String(pid)])
    .stdout.toString()
    .trim();
  return out ? out.split('\n').map(Number) : [];
}

describe('WORKERS', () => {
  test('is a positive integer or "auto" (one per CPU), and more than one needs DATABASE_URL', () => {
    const url = 'postgres://localhost/x';
    expect(readConfig({}).workers).toBe(1);
    expect(readConfig({ WORKERS: '3', DATABASE_URL: url }).workers).toBe(3);
    expect(readConfig({ WORKERS: 'auto', DATABASE_URL: url }).workers).toBeGreaterThanOrEqual(1);
    expect(() => readConfig({ WORKERS: 'two', DATABASE_URL: url })).toThrow(/WORKERS/);
    expect(() => readConfig({ WORKERS: '2' })).toThrow(/needs DATABASE_URL/);
  });

  test('the server refuses to start several workers on the embedded database', () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const result = Bun.spawnSync(['bun', 'src/index.ts'], {
      cwd: ROOT,
      env: { ...env, WORKERS: '2', PORT: '0' },
      stderr: 'pipe',
    });

    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toContain('WORKERS above 1 needs DATABASE_URL');
  });

  test.skipIf(serverDatabase === undefined)(
    'two workers serve; a killed one is started again; SIGTERM drains both and exits 0',
    async () => {
      const server = await startServer({ DATABASE_URL: serverDatabase as string, WORKERS: '2' });
      const supervisor = server.process.pid;
      const waitFor = async (done: (workers: number[]) => boolean) => {
        // Up to a minute: restarting a worker is a process start, slow on a loaded machine.
        for (let tries = 0; tries < 1200 && !done(children(supervisor)); tries++) await Bun.sleep(50);
        return children(supervisor);
      };
      // New connections each time: a kept-alive one may belong to the worker about to be killed.
      const tags = () => fetch(`${server.origin}/api/tags`, { headers: { connection: 'close' } }).then((r) => r.status);
      try {
        const [first] = await waitFor((workers) => workers.length === 2);
        expect(children(supervisor)).toHaveLength(2);
        process.kill(first as number, 'SIGKILL');
        await waitFor((workers) => !workers.includes(first as number));

        const statuses = [];
        for (let i = 0; i < 10; i++) statuses.push(await tags());
        expect(statuses).toEqual(Array(10).fill(200));

        const again = await waitFor((workers) => workers.length === 2);
        expect(again).toHaveLength(2);
        expect(again).not.toContain(first);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      expect(children(supervisor)).toEqual([]);
    },
  );
});
