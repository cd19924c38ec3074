/**
 * Importing a module does nothing but define things: every module of src/ is imported in a process
 * with no settings at all (no DATABASE_URL, no PGLITE_DATA_DIR, nothing) in an empty folder, which
 * must end by itself (nothing opened: no connection, no server, no timer), print nothing, and leave
 * the folder empty (no embedded database created, no file written).
 */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SRC = resolve(import.meta.dir);

const modules = [...new Bun.Glob('**/*.ts').scanSync(SRC)]
  .filter((path) => !path.endsWith('.test.ts') && !path.endsWith('.d.ts') && !path.startsWith('test/'))
  .sort();

describe('importing src/', () => {
  test('every module imports with no environment, opens and writes nothing, and the process ends by itself', async () => {
    expect(modules.length).toBeGreaterThan(50);
    const folder = mkdtempSync(join(tmpdir(), 'conduit-imports-'));
    const scriptFolder = mkdtempSync(join(tmpdir(), 'conduit-imports-script-'));
    try {
      const script = join(scriptFolder, 'import-all.ts');
      await Bun.write(
        script,
        `${modules.map((path) => `await import(${JSON.stringify(join(SRC, path))});`).join('\n')}
process.stdout.write('imported ${modules.length}');`,
      );
      const child = Bun.spawn([process.execPath, script], {
        cwd: folder,
        // Bun keeps its own cache under HOME: not the folder watched.
        env: { PATH: process.env.PATH ?? '', HOME: scriptFolder },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      // Generous: a loaded machine is slow to compile the modules; a process that stays up is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const [exitCode, out, err] = await Promise.all([
        child.exited,
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
      ]);
      clearTimeout(timer);

      expect({ exitCode, out, err }).toEqual({ exitCode: 0, out: `imported ${modules.length}`, err: '' });
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(scriptFolder, { recursive: true, force: true });
    }
  }, 90_000);
});
