/** Runs the real server (src/index.ts) as a child process, for tests that need a socket or signals. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Subprocess } from 'bun';
import { ROOT } from './cli';

/** How long a started process may take to answer before a harness gives up on it. */
export const READY_BUDGET_MS = 120_000;

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

/** What every instance of a drill shares, old and new: one token secret (a token one signs, all accept), quiet logs. */
export const DRILL_ENV = { JWT_SECRET: 'drill-secret-drill-secret-drill-secret-0123', LOG_LEVEL: 'warn' };

/** Servers still running when this process exits (a failed test, say) are killed, not left behind. */
const running = new Set<Subprocess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  process: Subprocess;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number>;
  /** With `captureLog`: everything the server wrote to standard output (read once, after stop). */
  log(): Promise<string>;
}

/**
 * Starts the server with `env` on top of this process's environment (without DATABASE_URL:
 * an in-memory embedded database unless `env` names one) and waits until it answers /health.
 * `quiet` drops its error output (for harnesses that provoke thousands of logged failures);
 * `captureLog` keeps its standard output for `log()`; `logFile` writes it to that file instead (for
 * long runs, whose log would fill the pipe); `root` runs another checkout's server; `port` takes a
 * given port (a replacement on its predecessor's, behind a balancer) instead of a free one; `core`
 * pins it to that CPU core (taskset, when installed: benchmarks keep servers and load apart).
 */
export async function startServer(
  env: Record<string, string> = {},
  {
    timeoutMs = READY_BUDGET_MS,
    quiet = false,
    captureLog = false,
    logFile,
    root = ROOT,
    port: givenPort,
    core,
  }: {
    timeoutMs?: number;
    quiet?: boolean;
    captureLog?: boolean;
    logFile?: string;
    root?: string;
    port?: number;
    core?: number;
  } = {},
): Promise<RunningServer> {
  const port = givenPort ?? (await freePort());
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = Bun.spawn([...pinnedTo(core), 'bun', 'src/index.ts'], {
    cwd: root,
    env: {
      ...inherited,
      PGLITE_DATA_DIR: 'memory://',
      // Harnesses (load, benchmark, drills) register and write far beyond any person; the limits'
      // own tests, and the official suite, turn them back on.
      AUTH_RATE_LIMIT: '0',
      WRITE_RATE_LIMIT: '0',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdout: logFile ? Bun.file(logFile) : captureLog ? 'pipe' : 'ignore',
    stderr: quiet ? 'ignore' : 'inherit',
  });
  running.add(child);
  child.exited.then(() => running.delete(child));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    return child.exited;
  };
  const log = () => new Response(child.stdout as ReadableStream).text();

  try {
    await waitUntilAnswering(`${origin}/health`, child, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, process: child, stop, log };
}

/**
 * Resolves once `url` answers 2xx; fails when `child` exits first or `timeoutMs` passes. The
 * budgets are generous on purpose (two minutes by default): a server starting on a 2-core machine
 * that is busy with other test runs can take tens of seconds, and waiting longer costs nothing
 * when it is fast.
 */
export async function waitUntilAnswering(url: string, child: Subprocess, timeoutMs = READY_BUDGET_MS): Promise<void> {
  await waitUntil(
    `${url} to answer`,
    async () => {
      if (child.exitCode !== null) throw new Error(`the process exited with code ${child.exitCode}`);
      return fetch(url).then(
        (response) => response.ok,
        () => false,
      );
    },
    timeoutMs,
  );
}

/** Polls `check` every `everyMs` until it holds; fails after `budgetMs` (generous: the machine may be busy) saying `what`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  budgetMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${budgetMs} ms for: ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** The command prefix that runs a program on `core` alone (taskset execs it: the pid stays the program's). */
export function pinnedTo(core: number | undefined): string[] {
  return core !== undefined && Bun.which('taskset') ? ['taskset', '-c', String(core)] : [];
}

/** The resident memory of process `pid`, in MiB. */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}
