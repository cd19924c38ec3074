/** One server process: listens, serves, and shuts down cleanly. Started by src/index.ts. */
import { app } from './app';
import { config } from './core/config';
import { logger } from './core/logger';
import { tokenConfig } from './core/token-settings';
import { answerSupervisor, isWorker } from './core/workers';
import { databaseDescription, disconnectDatabase, pendingMigrations } from './health/health.repository';

/** How long a shutdown waits for in-flight requests before cutting them off. */
const SHUTDOWN_GRACE_MS = 10_000;

// Read now, not at the first token: a bad JWT_SECRET stops the server before it listens.
if (tokenConfig().usingDevelopmentSecret) {
  logger.warn('JWT_SECRET is not set: signing tokens with the development secret. Never do this in production.');
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

/** Stop accepting connections, let in-flight requests finish (bounded), close the pool, exit 0. */
async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down: finishing in-flight requests, then closing the database');
  const drained = app.stop().then(() => true);
  const finished = await Promise.race([drained, Bun.sleep(SHUTDOWN_GRACE_MS).then(() => false)]);
  if (!finished) {
    logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'requests still running after the grace period: closing them');
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
