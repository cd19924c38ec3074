/** Runs the real server (src/index.ts) as a child process, for tests that need a socket or signals. */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Subprocess } from 'bun';

const ROOT = resolve(import.meta.dir, '../..');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

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
 * `captureLog` keeps its standard output for `log()`; `root` runs another checkout's server.
 */
export async function startServer(
  env: Record<string, string> = {},
  { timeoutMs = 30_000, quiet = false, captureLog = false, root = ROOT } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = Bun.spawn(['bun', 'src/index.ts'], {
    cwd: root,
    env: {
      ...inherited,
      PGLITE_DATA_DIR: 'memory://',
      AUTH_RATE_LIMIT: '0',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdout: captureLog ? 'pipe' : 'ignore',
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

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const up = await fetch(`${origin}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { origin, process: child, stop, log };
    await Bun.sleep(100);
  }
  await stop();
  throw new Error(`the server did not answer at ${origin} within ${timeoutMs} ms`);
}
