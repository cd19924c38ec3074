/**
 * `bun run test:outage`: stops and restarts PostgreSQL under write load and checks that the
 * API degrades and recovers as promised.
 *
 * On a throwaway PostgreSQL of its own (never the shared server), it runs the real server,
 * keeps creating articles from several clients, stops the database, keeps going, starts it
 * again, and reports: acknowledged writes, lost writes (acknowledged but not in the database;
 * must be 0), the statuses seen during the outage and the slowest of those answers (must be
 * under 2 s), and the time from the database's return to the first successful write.
 * Exits non-zero when a promise is broken.
 */
import { createTestDatabase } from '../src/test/database';
import { apiClient, register } from './lib/api';
import { withSql } from './lib/cli';
import { histogram, runHarness } from './lib/harness';
import { startServer } from './lib/server';
import { ThrowawayPostgres } from './lib/throwaway-postgres';

const WRITERS = 8;
const BEFORE_MS = 2000;
const OUTAGE_MS = 4000;
const AFTER_MS = 3000;
const RECOVERY_LIMIT_MS = 15_000;

interface Outcome {
  status: number | 'network error';
  startedAt: number;
  finishedAt: number;
  slug?: string;
}

/** Writers creating articles until stopped, every outcome kept. */
function startWriters(api: ReturnType<typeof apiClient>, token: string) {
  let running = true;
  let sequence = 0;
  const outcomes: Outcome[] = [];
  async function createArticle(): Promise<Outcome> {
    const startedAt = performance.now();
    const article = { title: `Drill article ${++sequence}`, description: 'd', body: 'b' };
    try {
      const { status, body } = await api('POST', '/articles', { article }, token);
      return { status, startedAt, finishedAt: performance.now(), slug: status === 201 ? body.article.slug : undefined };
    } catch {
      return { status: 'network error', startedAt, finishedAt: performance.now() };
    }
  }
  const writers = Array.from({ length: WRITERS }, async () => {
    while (running) {
      const outcome = await createArticle();
      outcomes.push(outcome);
      // Failures come back fast; do not spin.
      if (outcome.status !== 201) await Bun.sleep(50);
    }
  });
  const stop = async () => {
    running = false;
    await Promise.all(writers);
  };
  return { outcomes, stop };
}

export function main(): Promise<never> {
  return runHarness(async (checks, teardown) => {
    console.log('Starting a throwaway PostgreSQL ...');
    const pg = await ThrowawayPostgres.create();
    teardown.add(() => pg.destroy());
    await pg.start();
    const database = await createTestDatabase(pg.serverUrl, 'conduit_drill');
    teardown.add(() => database.drop());
    const server = await startServer({ DATABASE_URL: database.url }, { quiet: true });
    teardown.add(() => server.stop());
    const api = apiClient(`${server.origin}/api`);
    const { outcomes, stop } = startWriters(api, await register(api, 'driller'));
    await Bun.sleep(BEFORE_MS);

    console.log('Stopping PostgreSQL (fast shutdown) under write load ...');
    const stopCalledAt = performance.now();
    await pg.stop('fast');
    const stoppedAt = performance.now();
    await Bun.sleep(OUTAGE_MS);
    console.log('Starting PostgreSQL again ...');
    const startCalledAt = performance.now();
    await pg.start();
    const restartedAt = performance.now();
    const deadline = restartedAt + RECOVERY_LIMIT_MS;
    while (performance.now() < deadline && !outcomes.some((o) => o.status === 201 && o.startedAt >= restartedAt)) {
      await Bun.sleep(10);
    }
    await Bun.sleep(AFTER_MS);
    await stop();

    const acknowledged = outcomes.flatMap((o) => (o.slug ? [o.slug] : []));
    const stored = await withSql(
      database.url,
      (sql) => sql<{ slug: string }[]>`select slug from articles where slug = any(${acknowledged})`,
    );
    const storedSlugs = new Set(stored.map((row) => row.slug));
    const lost = acknowledged.filter((slug) => !storedSlugs.has(slug));
    // Requests made while the database was down, from after the stop until the restart began.
    const duringOutage = outcomes.filter((o) => o.startedAt >= stoppedAt && o.finishedAt <= startCalledAt);
    const statuses = (list: Outcome[]) => histogram(list, (o) => String(o.status));
    const slowestOutageMs = Math.max(0, ...duringOutage.map((o) => o.finishedAt - o.startedAt));
    const firstSuccess = outcomes.find((o) => o.status === 201 && o.startedAt >= restartedAt);
    const recoveryMs = firstSuccess ? firstSuccess.finishedAt - restartedAt : undefined;
    const stopping = outcomes.filter((o) => o.finishedAt >= stopCalledAt && o.startedAt < stoppedAt);

    console.log('');
    console.log('Outage drill');
    console.log(`  acknowledged writes (201): ${acknowledged.length}`);
    console.log(`  lost writes:               ${lost.length}`);
    console.log(`  statuses before the stop:  ${statuses(outcomes.filter((o) => o.finishedAt < stopCalledAt))}`);
    console.log(`  statuses while stopping:   ${statuses(stopping)}`);
    console.log(`  statuses during outage:    ${statuses(duringOutage)}`);
    console.log(`  slowest answer in outage:  ${slowestOutageMs.toFixed(0)} ms`);
    console.log(`  statuses after restart:    ${statuses(outcomes.filter((o) => o.startedAt >= restartedAt))}`);
    console.log(
      `  time to recover:           ${recoveryMs === undefined ? 'did not recover' : `${recoveryMs.toFixed(0)} ms after the database was back`}`,
    );
    console.log('');
    checks.check('no acknowledged write was lost', lost.length === 0, `${lost.length} lost`);
    checks.check('writes were acknowledged', acknowledged.length > 0);
    checks.check('requests were made during the outage', duringOutage.length > 0);
    checks.check(
      'every answer during the outage was 503',
      duringOutage.every((o) => o.status === 503),
    );
    checks.check(
      'every answer during the outage came within 2 s',
      slowestOutageMs < 2000,
      `${slowestOutageMs.toFixed(0)} ms`,
    );
    checks.check(
      'no 5xx but 503',
      !outcomes.some((o) => typeof o.status === 'number' && o.status >= 500 && o.status !== 503),
    );
    checks.check(`a write succeeded within ${RECOVERY_LIMIT_MS} ms of the restart`, recoveryMs !== undefined);
  });
}

if (import.meta.main) await main();
