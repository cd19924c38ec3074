/** One server process: opens the database, builds the app, listens, and shuts down cleanly. Started by src/index.ts. */
import { type OpenApp, openApp } from './app';
import { MAX_BODY_BYTES } from './core/body';
import type { Settings } from './core/config';
import { logger } from './core/logger';
import { tokenConfig } from './core/token-settings';
import { answerSupervisor, isWorker } from './core/workers';

/** Startup, in order: checks on the settings, the database (the embedded one migrated), the app, listening. */
export async function serve(settings: Settings): Promise<void> {
  // Read now, not at the first token: a bad JWT_SECRET stops the server before it listens.
  if (tokenConfig().usingDevelopmentSecret) {
    logger.warn('JWT_SECRET is not set: signing tokens with the development secret. Never do this in production.');
  }
  if (settings.metrics.tokenMissing) {
    logger.warn(
      'METRICS_TOKEN is not set: metrics are off and GET /metrics answers 404. Set METRICS_TOKEN or METRICS_TOKEN_FILE to scrape them (docs/operations.md#metrics).',
    );
  }
  const running = await openApp(settings);
  const { app, database, repositories } = running;
  app.listen({
    hostname: settings.host,
    port: settings.port,
    // The app answers a declared Content-Length over the limit with a JSON 413 (src/core/http.ts);
    // this cap, with room above it, stops chunked bodies that declare nothing.
    maxRequestBodySize: 2 * MAX_BODY_BYTES,
    // Worker processes share the port; the kernel spreads connections across them.
    reusePort: isWorker(settings),
  });
  logger.info(
    {
      url: `http://${settings.host}:${settings.port}/api`,
      docs: `http://${settings.host}:${settings.port}/docs`,
      database: database.target,
      cache: settings.cache.enabled ? `on, up to ${settings.cache.maxBytes / 1024 / 1024} MB` : 'off',
    },
    'Conduit API listening',
  );
  if (settings.cache.offBecause) logger.warn(`read cache off: ${settings.cache.offBecause} (docs/operations.md)`);
  stopOnSignals(settings, running);

  const pending = await repositories.health.pendingMigrations();
  if (pending && pending.length > 0) {
    logger.warn(
      { pending },
      'the database lacks migrations this version needs: /ready answers 503 until `bun run db:migrate` applies them',
    );
  }
}

/**
 * Readiness answers 503 at once, and for SHUTDOWN_DRAIN_MS the server goes on serving (a load balancer
 * stops sending meanwhile). Then stop accepting connections, let in-flight requests finish, close the
 * pool, exit 0; all within SHUTDOWN_GRACE_MS. Requests still running when its last 2 s begin (half of it, when it is short)
 * have their statements cancelled first, while their connections are still open: each rolls back and
 * its client is answered 503. Closing a connection alone would not do: PostgreSQL does not notice a
 * closed client while a statement waits on a lock, and would commit it once the lock is released.
 */
async function shutdown(
  signal: string,
  { shutdownGraceMs: graceMs, shutdownDrainMs: drainMs }: Pick<Settings, 'shutdownGraceMs' | 'shutdownDrainMs'>,
  { app, database, services }: OpenApp,
): Promise<void> {
  const deadline = performance.now() + graceMs;
  const left = () => deadline - performance.now();
  // Whatever hangs below (a database that does not answer the cancellation), the process ends in time.
  setTimeout(() => {
    logger.error({ graceMs }, 'shutdown: the grace period is over, exiting now');
    logger.flush();
    process.exit(1);
  }, graceMs);
  services.health.startDraining();
  if (drainMs > 0) {
    logger.info({ signal, drainMs, graceMs }, 'shutting down: /ready answers 503, still serving while balancers drain');
    await Bun.sleep(drainMs);
  }
  logger.info({ signal, graceMs }, 'shutting down: finishing in-flight requests, then closing the database');
  const drained = app.stop().then(() => true);
  // What is left of the grace period after the drain: the last 2 s of it (half, when shorter) cancel.
  const stopAt = left() - Math.min(2000, left() / 2);
  const finished = await Promise.race([drained, Bun.sleep(stopAt).then(() => false)]);
  if (!finished) {
    logger.warn({ graceMs }, 'requests still running: cancelling their database statements');
    await database.stopWork(left() / 2);
    // The cancelled requests answer 503 now; once they have, their connections close.
    await Promise.race([drained, Bun.sleep(Math.max(0, left() - 250))]);
    await app.server?.stop(true);
  }
  await database.close();
  // The last requests' log lines are written after their responses: let them, then flush.
  await new Promise((resolve) => setImmediate(resolve));
  logger.flush();
  process.exit(0);
}
/** SIGTERM and SIGINT shut down (once); a worker also stops when its supervisor has gone. */
function stopOnSignals(settings: Settings, running: OpenApp): void {
  // `on`, not `once`: under a supervisor, Ctrl-C reaches a worker twice (from the terminal and
  // forwarded), and a second, unhandled SIGINT would cut its in-flight requests off.
  let shuttingDown = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      void shutdown(signal, settings, running);
    });
  }

  // A worker whose supervisor died (killed outright, say) stops too, rather than serve on unsupervised.
  if (isWorker(settings)) {
    answerSupervisor();
    const supervisor = process.ppid;
    setInterval(() => {
      if (process.ppid !== supervisor && !shuttingDown) {
        shuttingDown = true;
        void shutdown('SIGTERM', settings, running);
      }
    }, 1000).unref();
  }
}
