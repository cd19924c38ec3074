/** One server process: listens, serves, and shuts down cleanly. Started by src/index.ts. */
import { app } from './app';
import { config } from './core/config';
import { logger } from './core/logger';
import { tokenConfig } from './core/token-settings';
import { answerSupervisor, isWorker } from './core/workers';
import {
  databaseDescription,
  disconnectDatabase,
  pendingMigrations,
  stopRunningStatements,
} from './health/health.repository';

// Read now, not at the first token: a bad JWT_SECRET stops the server before it listens.
if (tokenConfig().usingDevelopmentSecret) {
  logger.warn('JWT_SECRET is not set: signing tokens with the development secret. Never do this in production.');
}
if (config.metrics.tokenMissing) {
  logger.warn(
    'METRICS_TOKEN is not set: metrics are off and GET /metrics answers 404. Set METRICS_TOKEN or METRICS_TOKEN_FILE to scrape them (docs/operations.md#metrics).',
  );
}

app.listen({
  hostname: config.host,
  port: config.port,
  // The app answers a declared Content-Length over the limit with a JSON 413 (src/core/http.ts);
  // this cap, with room above it, stops chunked bodies that declare nothing.
  maxRequestBodySize: 2 * config.maxBodyBytes,
  // Worker processes share the port; the kernel spreads connections across them.
  reusePort: isWorker(),
});
logger.info(
  {
    url: `http://${config.host}:${config.port}/api`,
    docs: `http://${config.host}:${config.port}/docs`,
    database: databaseDescription(),
  },
  'Conduit API listening',
);

const pending = await pendingMigrations();
if (pending && pending.length > 0) {
  logger.warn(
    { pending },
    'the database lacks migrations this version needs: /ready answers 503 until `bun run db:migrate` applies them',
  );
}

/**
 * Stop accepting connections, let in-flight requests finish, close the pool, exit 0; all within
 * SHUTDOWN_GRACE_MS. Requests still running when its last 2 s begin (half of it, when it is short)
 * have their statements cancelled first, while their connections are still open: each rolls back and
 * its client is answered 503. Closing a connection alone would not do: PostgreSQL does not notice a
 * closed client while a statement waits on a lock, and would commit it once the lock is released.
 */
async function shutdown(signal: string): Promise<void> {
  const graceMs = config.shutdownGraceMs;
  const deadline = performance.now() + graceMs;
  const left = () => deadline - performance.now();
  // Whatever hangs below (a database that does not answer the cancellation), the process ends in time.
  setTimeout(() => {
    logger.error({ graceMs }, 'shutdown: the grace period is over, exiting now');
    logger.flush();
    process.exit(1);
  }, graceMs);
  logger.info({ signal, graceMs }, 'shutting down: finishing in-flight requests, then closing the database');
  const drained = app.stop().then(() => true);
  const stopAt = graceMs - Math.min(2000, graceMs / 2);
  const finished = await Promise.race([drained, Bun.sleep(stopAt).then(() => false)]);
  if (!finished) {
    logger.warn({ graceMs }, 'requests still running: cancelling their database statements');
    await stopRunningStatements(left() / 2);
    // The cancelled requests answer 503 now; once they have, their connections close.
    await Promise.race([drained, Bun.sleep(Math.max(0, left() - 250))]);
    await app.server?.stop(true);
  }
  await disconnectDatabase();
  // The last requests' log lines are written after their responses: let them, then flush.
  await new Promise((resolve) => setImmediate(resolve));
  logger.flush();
  process.exit(0);
}
// `on`, not `once`: under a supervisor, Ctrl-C reaches a worker twice (from the terminal and
// forwarded), and a second, unhandled SIGINT would cut its in-flight requests off.
let shuttingDown = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    void shutdown(signal);
  });
}

// A worker whose supervisor died (killed outright, say) stops too, rather than serve on unsupervised.
if (isWorker()) {
  answerSupervisor();
  const supervisor = process.ppid;
  setInterval(() => {
    if (process.ppid !== supervisor && !shuttingDown) {
      shuttingDown = true;
      void shutdown('SIGTERM');
    }
  }, 1000).unref();
}
