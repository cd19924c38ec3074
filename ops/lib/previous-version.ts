/**
 * The previous version, checked out beside this one: what `test:compat` and `test:deploy` run as
 * "the old instances". By default it is the parent of the newest commit that changed drizzle/, i.e.
 * the last version built for the previous schema; a harness may name another commit.
 */
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli';

export function git(...args: string[]): string {
  const run = Bun.spawnSync(['git', ...args], { cwd: ROOT, stderr: 'pipe' });
  if (run.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr.toString().trim()}`);
  return run.stdout.toString().trim();
}

/** The commit `test:compat` and `test:deploy` treat as the previous version (`given` overrides it). */
export function previousVersion(given?: string): string {
  const newestSchemaChange = git('log', '-1', '--format=%H', '--', 'drizzle');
  return git('rev-parse', '--verify', `${given ?? `${newestSchemaChange}^`}^{commit}`);
}

export interface Checkout {
  commit: string;
  /** The folder to run it from (its dependencies installed). */
  root: string;
  /** Removes the worktree and its folder. */
  remove(): void;
}

/**
 * `git worktree add` of `commit` in a temporary folder, with its dependencies: this checkout's
 * node_modules, linked, when `commit` declares the same ones (package.json, bun.lock and patches/
 * as in the working tree), else `bun install --frozen-lockfile` of its own.
 */
export function checkOut(commit: string): Checkout {
  const root = mkdtempSync(join(tmpdir(), 'conduit-previous-'));
  const remove = () => {
    // A linked node_modules first, on its own: never what it points to (unlink fails on a folder).
    try {
      unlinkSync(join(root, 'node_modules'));
    } catch {}
    Bun.spawnSync(['git', 'worktree', 'remove', '--force', root], { cwd: ROOT });
    rmSync(root, { recursive: true, force: true });
    Bun.spawnSync(['git', 'worktree', 'prune'], { cwd: ROOT });
  };
  try {
    git('worktree', 'add', '--detach', root, commit);
    const sameDependencies =
      Bun.spawnSync(['git', 'diff', '--quiet', commit, '--', 'package.json', 'bun.lock', 'patches'], { cwd: ROOT })
        .exitCode === 0;
    if (sameDependencies) symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    else install(root, commit);
  } catch (error) {
    remove();
    throw error;
  }
  return { commit, root, remove };
}

function install(root: string, commit: string): void {
  const install = Bun.spawnSync(['bun', 'install', '--frozen-lockfile'], {
    cwd: root,
    stdout: 'ignore',
    stderr: 'pipe',
  });
  if (install.exitCode !== 0)
    throw new Error(`bun install in ${commit} failed: ${install.stderr.toString().slice(-1000)}`);
}

/** How long a db:migrate may take in a drill before it is stopped and reported (it retries lock timeouts for ~35 s). */
const MIGRATE_BUDGET_MS = 120_000;

/** Runs `bun src/migrate.ts` (db:migrate) of the checkout at `root` on `databaseUrl`; throws with its output on failure. */
export async function migrate(root: string, databaseUrl: string): Promise<string> {
  const child = Bun.spawn(['bun', 'src/migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  // Read while it runs: a full pipe would block it.
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  const timer = setTimeout(() => child.kill('SIGKILL'), MIGRATE_BUDGET_MS);
  const code = await child.exited;
  clearTimeout(timer);
  const text = (await output).join('');
  if (code !== 0) {
    throw new Error(`db:migrate in ${root} failed (exit ${child.signalCode ?? code}): ${text.slice(-1500)}`);
  }
  return text;
}
