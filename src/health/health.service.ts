import { timingSafeEqual } from 'node:crypto';
import type { Settings } from '../core/config';
import { DatabaseUnavailable, NotFound, ShuttingDown, Unauthorized } from '../core/errors';
import { SATURATION_HOLD_MS } from '../core/pool-gate';
import { hostMetrics, isWorker } from '../core/workers';
import type { HealthRepository } from './health.repository';

/** Whether two secrets are equal, compared in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Readiness and metrics, over `health`. */
export function healthService(health: HealthRepository, { metrics, workerId }: Pick<Settings, 'metrics' | 'workerId'>) {
  let draining = false;

  /** A shutdown has begun: from now on readiness says so (the server still serves during SHUTDOWN_DRAIN_MS). */
  function startDraining(): void {
    draining = true;
  }

  /**
   * Ready means able to serve: the database answers and has every migration this version was built
   * with. A database behind the code (deployed before `db:migrate` ran) would answer most requests
   * with 500s, so the instance stays out of rotation until it is migrated; no restart is needed.
   * A database ahead of the code is fine: migrations are written to keep the previous version working.
   *
   * Nor is an instance ready while it is saturated: it has lately had to answer 503 for want of any
   * free connection (not just for one kind of operation at its share: then the rest is still served,
   * and other instances, on the same database, would do no better). A load balancer can steer away.
   * Nor once a shutdown has begun (`startDraining`).
   */
  async function assertReady(): Promise<void> {
    if (draining) throw new ShuttingDown();
    if (health.poolSaturated()) {
      throw new DatabaseUnavailable(
        `is saturated: requests found no free connection within DB_POOL_WAIT_MS in the last ${SATURATION_HOLD_MS / 1000} s`,
      );
    }
    const pending = await health.pendingMigrations();
    if (pending === undefined) throw new DatabaseUnavailable('is unavailable');
    if (pending.length > 0) {
      throw new DatabaseUnavailable(
        `is missing ${pending.length} migration(s) this version needs (${pending.join(', ')}): run db:migrate`,
      );
    }
  }

  /**
   * The Prometheus text for a scrape: 404 when metrics are off (so too in production without a
   * token: see config.ts); with METRICS_TOKEN set, only for that token. `token` is the one the
   * request presented: undefined for none, null for credentials that are not a bearer token.
   */
  async function scrape(token: string | null | undefined): Promise<string> {
    if (!metrics.enabled) throw new NotFound('route');
    const expected = metrics.token;
    if (expected !== undefined) {
      if (token === undefined) throw new Unauthorized('tokenMissing');
      if (token === null || !sameSecret(token, expected)) throw new Unauthorized('tokenInvalid');
    }
    return hostMetrics(isWorker({ workerId }));
  }

  return { assertReady, scrape, startDraining };
}

export type HealthService = ReturnType<typeof healthService>;
