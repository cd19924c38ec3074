/**
 * `bun run test:deploy [BASE]`: the rolling deploy drill. A deploy as an operator's CI runs it,
 * under live traffic, with nothing failed and nothing lost.
 *
 * HAProxy (Debian's) health-checks /ready and balances over two instances of the previous version
 * (BASE: the commit `test:compat` picks), on a fresh database on TEST_DATABASE_URL's server migrated
 * by BASE itself. Mixed traffic (reads, registrations, articles, comments, favorites) runs through
 * HAProxy from before the deploy to after it. The deploy: `db:migrate` with this version's
 * migrations while the old instances serve; then, one instance at a time, drain it at the balancer
 * (runtime API `set server ... state drain`: no new requests; wait until it has none in flight),
 * SIGTERM it (it finishes what it has and exits 0), start this version on its port, and put it back
 * once HAProxy's own /ready check passes.
 *
 * Pass: no request failed (no 5xx, no unexpected status, no connection error, no timeout) from the
 * first request to the last; every write acknowledged is in the database at the end; p99 before and
 * during the deploy reported. Then the drill checks itself: it breaks a deploy on purpose twice (an
 * instance stopped without draining, with SIGKILL: a crash, or an orchestrator that gave up
 * waiting; then a migration that renames a column the running instances use, undone afterwards)
 * and must see failed requests each time. Last line: "N passed, M failed".
 */
import postgres from 'postgres';
import { createTestDatabase, type TestDatabase } from '../src/test/database';
import { Haproxy } from './lib/haproxy';
import { type Checkout, checkOut, git, migrate, previousVersion } from './lib/previous-version';
import { Checklist } from './lib/report';
import { freePort, type RunningServer, startServer } from './lib/server';
import { between, MixedTraffic, missingWrites, summarize } from './lib/traffic';

const CLIENTS = 12;
const REQUEST_BUDGET_MS = 10_000;
/** Traffic measured before the deploy starts (the baseline for p99) and after it ends. */
const BEFORE_MS = 8000;
const AFTER_MS = 4000;
const ROOT = `${import.meta.dir}/..`;

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.error('test:deploy needs a PostgreSQL server: set TEST_DATABASE_URL (it makes and drops its own database).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const checks = new Checklist();
let checkout: Checkout | undefined;
let database: TestDatabase | undefined;
let haproxy: Haproxy | undefined;
const instances: RunningServer[] = [];
/** The previous version's processes, to check they are gone. */
const oldProcesses: RunningServer['process'][] = [];
let traffic: MixedTraffic | undefined;

/** Stops everything the drill started and removes what it made (once); also on Ctrl-C or SIGTERM. */
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    const steps: (() => unknown)[] = [
      () => traffic?.stop(),
      () => haproxy?.stop(),
      () => Promise.all(instances.map((instance) => instance.stop())),
      () => database?.drop(),
      () => checkout?.remove(),
    ];
    // Each step whatever the others did: a failed one must not leave the rest behind.
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        console.error('clean-up:', error);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(1));
  });
}

function haproxyConfig(listen: number, ports: number[]): string {
  return `defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
  # A connection refused (an instance between two versions) is tried again, on another instance.
  retries 3
  option redispatch 1

frontend api
  bind 127.0.0.1:${listen}
  default_backend app

backend app
  balance leastconn
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${ports.map((port, i) => `  server app${i + 1} 127.0.0.1:${port} check`).join('\n')}
`;
}

/** The environment every instance shares, old and new: one database, one token secret. */
function instanceEnv(databaseUrl: string): Record<string, string> {
  return { DATABASE_URL: databaseUrl, JWT_SECRET: 'drill-secret-drill-secret-drill-secret-0123', LOG_LEVEL: 'warn' };
}

/** Drains `server` at the balancer, stops its instance with SIGTERM, starts this version on its port. */
async function replace(slot: number, env: Record<string, string>, port: number): Promise<number> {
  const proxy = haproxy as Haproxy;
  const server = `app${slot + 1}`;
  await proxy.command(`set server app/${server} state drain`);
  await proxy.waitFor('app', server, 'drained', (stat) => stat.status.startsWith('DRAIN') && stat.current === 0);
  const exitCode = await (instances[slot] as RunningServer).stop();
  instances[slot] = await startServer(env, { port, quiet: true });
  await proxy.command(`set server app/${server} state ready`);
  await proxy.waitFor('app', server, 'up', (stat) => stat.status === 'UP');
  return exitCode;
}

/** The broken migration (and its undoing): renames comments' column `from` to `to`, as a careless migration would. */
async function renameColumn(databaseUrl: string, from: string, to: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`alter table comments rename column ${from} to ${to}`);
  } finally {
    await sql.end();
  }
}

/** The broken deploy: `server` stopped with SIGKILL while it serves, then started again. */
async function crash(slot: number, env: Record<string, string>, port: number): Promise<void> {
  const proxy = haproxy as Haproxy;
  const server = `app${slot + 1}`;
  const instance = instances[slot] as RunningServer;
  instance.process.kill('SIGKILL');
  await instance.process.exited;
  await proxy.waitFor('app', server, 'down', (stat) => stat.status.startsWith('DOWN'));
  instances[slot] = await startServer(env, { port, quiet: true });
  await proxy.waitFor('app', server, 'up', (stat) => stat.status === 'UP');
}

try {
  const base = previousVersion(process.argv[2]);
  console.log(`Previous version ${base.slice(0, 12)}, new version ${git('rev-parse', '--short', 'HEAD')} (HEAD)`);
  checkout = checkOut(base);
  database = await createTestDatabase(serverUrl, 'conduit_deploy', { migrate: false });
  await migrate(checkout.root, database.url);
  const env = instanceEnv(database.url);
  const ports = [await freePort(), await freePort()];
  for (const port of ports) instances.push(await startServer(env, { root: checkout.root, port, quiet: true }));
  oldProcesses.push(...instances.map((instance) => instance.process));
  const listen = await freePort();
  haproxy = await Haproxy.start(haproxyConfig(listen, ports));
  for (const server of ['app1', 'app2']) await haproxy.waitFor('app', server, 'up', (stat) => stat.status === 'UP');

  traffic = new MixedTraffic(`http://127.0.0.1:${listen}/api`, { clients: CLIENTS, budgetMs: REQUEST_BUDGET_MS });
  await traffic.seed();
  traffic.start();
  const trafficStartedAt = performance.now();
  console.log(`HAProxy on :${listen} over two old instances; ${CLIENTS} clients of mixed traffic ...`);
  await Bun.sleep(BEFORE_MS);

  const deployStartedAt = performance.now();
  console.log('Deploy: db:migrate with the new migrations, the old instances serving ...');
  await migrate(ROOT, database.url);
  const migratedAt = performance.now();
  const exitCodes: number[] = [];
  for (const [slot, port] of ports.entries()) {
    console.log(`Deploy: draining app${slot + 1}, SIGTERM, the new version on :${port} ...`);
    exitCodes.push(await replace(slot, env, port));
  }
  const deployEndedAt = performance.now();
  await Bun.sleep(AFTER_MS);
  // Every request of the deploy has its answer before the broken deploy begins.
  await traffic.stop();
  const deployTrafficEndedAt = performance.now();

  console.log('Broken deploy, on purpose: app1 stopped with SIGKILL, without draining ...');
  const brokenStartedAt = performance.now();
  traffic.start();
  await Bun.sleep(1000);
  await crash(0, env, ports[0] as number);
  await Bun.sleep(1000);
  await traffic.stop();
  const brokenEndedAt = performance.now();

  console.log('Broken migration, on purpose: a column the running instances use renamed under traffic ...');
  const renameStartedAt = performance.now();
  traffic.start();
  await Bun.sleep(1000);
  await renameColumn(database.url, 'body', 'body_renamed');
  await traffic.waitForFailure(renameStartedAt, REQUEST_BUDGET_MS * 3);
  await renameColumn(database.url, 'body_renamed', 'body');
  await traffic.stop();
  const renameEndedAt = performance.now();

  const before = summarize(between(traffic.samples, trafficStartedAt, deployStartedAt));
  const during = summarize(between(traffic.samples, deployStartedAt, deployEndedAt));
  const after = summarize(between(traffic.samples, deployEndedAt, deployTrafficEndedAt));
  const whole = summarize(between(traffic.samples, trafficStartedAt, deployTrafficEndedAt));
  const broken = summarize(between(traffic.samples, brokenStartedAt, brokenEndedAt));
  const renamed = summarize(between(traffic.samples, renameStartedAt, renameEndedAt));
  const missing = await missingWrites(database.url, traffic.acknowledged);
  const ack = traffic.acknowledged;
  const lost = missing.users.length + missing.articles.length + missing.comments.length + missing.favorites.length;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);

  const failures = between(traffic.samples, trafficStartedAt, deployTrafficEndedAt).filter((sample) => !sample.ok);
  for (const sample of failures.slice(0, 10)) {
    const at = ((sample.startedAt - deployStartedAt) / 1000).toFixed(1);
    console.log(
      `  failed: ${sample.what} → ${sample.outcome} (sent at ${at} s from the deploy's start) ${sample.error ?? ''}`,
    );
  }
  console.log('');
  console.log('Rolling deploy drill');
  console.log(
    `  requests:            ${whole.requests} over ${seconds(deployTrafficEndedAt - trafficStartedAt)} s, ${during.requests} during the deploy (${seconds(deployEndedAt - deployStartedAt)} s, db:migrate ${seconds(migratedAt - deployStartedAt)} s)`,
  );
  console.log(`  failed requests:     ${whole.failed}${whole.failed ? ` (${whole.byOutcome})` : ''}`);
  console.log(
    `  latency before:      p50 ${before.p50.toFixed(1)} ms, p99 ${before.p99.toFixed(1)} ms (${before.requests} requests)`,
  );
  console.log(`  latency during:      p50 ${during.p50.toFixed(1)} ms, p99 ${during.p99.toFixed(1)} ms`);
  console.log(`  latency after:       p50 ${after.p50.toFixed(1)} ms, p99 ${after.p99.toFixed(1)} ms`);
  console.log(
    `  acknowledged writes: ${ack.users.length} users, ${ack.articles.length} articles, ${ack.comments.length} comments, ${ack.favorites.length} favorites; lost ${lost}`,
  );
  console.log(`  old instances' exit codes after SIGTERM: ${exitCodes.join(', ')}`);
  console.log(
    `  broken deploy (SIGKILL, no drain): ${broken.failed} of ${broken.requests} requests failed${broken.failed ? ` (${broken.byOutcome})` : ''}`,
  );
  console.log(
    `  broken migration (comments.body renamed): ${renamed.failed} of ${renamed.requests} requests failed${renamed.failed ? ` (${renamed.byOutcome})` : ''}`,
  );
  console.log('');

  checks.check(
    'traffic ran through the whole deploy',
    before.requests > 0 && during.requests > 0 && after.requests > 0,
  );
  checks.check(
    'no request failed during the deploy (no 5xx, no unexpected status, no connection error, no timeout)',
    whole.failed === 0,
    whole.byOutcome,
  );
  checks.check(
    'each old instance exited 0 after draining and SIGTERM',
    exitCodes.length === 2 && exitCodes.every((code) => code === 0),
    exitCodes.join(', '),
  );
  checks.check(
    'every acknowledged write is in the database (users, articles, comments, favorites)',
    lost === 0,
    JSON.stringify(missing).slice(0, 500),
  );
  checks.check(
    'the old versions are gone and the new version serves on both ports',
    oldProcesses.every((old) => old.exitCode !== null) &&
      !instances.some((instance) => oldProcesses.includes(instance.process)),
  );
  checks.check(
    'the drill catches a broken deploy (an instance killed without draining fails requests)',
    broken.failed > 0,
    'no request failed',
  );
  checks.check(
    'the drill catches a migration the running version cannot run on (a column it uses renamed)',
    renamed.failed > 0,
    'no request failed',
  );
} catch (error) {
  console.error(error);
  checks.check('the drill ran to the end', false, (error as Error).message);
} finally {
  await cleanUp();
}
checks.finish();
