/**
 * WORKERS=N: this process supervises N server processes that share the port (SO_REUSEPORT, so the
 * kernel spreads connections across them). A worker that dies is started again, with a growing
 * pause if it keeps dying; SIGTERM or SIGINT is passed to every worker, which drain their
 * in-flight requests, and the supervisor exits 0 once all of them have.
 */
import type { Subprocess } from 'bun';
import { config } from './config';
import { logger } from './logger';

export function isWorker(): boolean {
  return config.workerId !== undefined;
}

/** How to start this same program again: `bun <script> ...` from source, `<binary> ...` when compiled. */
function ownCommand(): string[] {
  const compiled = process.argv[1]?.startsWith('/$bunfs/');
  return compiled ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.argv.slice(1)];
}

export async function superviseWorkers(count: number): Promise<void> {
  const workers = new Map<number, Subprocess>();
  let stopping = false;

  const start = (id: number, failures = 0): void => {
    const child = Bun.spawn(ownCommand(), {
      env: { ...process.env, CONDUIT_WORKER_ID: String(id) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    workers.set(id, child);
    const startedAt = Date.now();
    child.exited.then((code) => {
      workers.delete(id);
      if (stopping) return;
      // A worker that ran for a while starts again at once; one that keeps dying, after a growing pause.
      const streak = Date.now() - startedAt < 5000 ? failures + 1 : 0;
      const pauseMs = Math.min(100 * 2 ** streak, 5000);
      logger.error({ worker: id, exitCode: code, restartInMs: pauseMs }, 'worker exited: starting it again');
      setTimeout(() => stopping || start(id, streak), pauseMs);
    });
  };

  for (let id = 1; id <= count; id++) start(id);
  logger.info({ workers: count, pid: process.pid }, 'supervising server processes');

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping every worker');
    const exits = [...workers.values()].map((child) => {
      child.kill(signal);
      return child.exited;
    });
    await Promise.all(exits);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
