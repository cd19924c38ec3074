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
import { createTestDatabase } from '../src/test/database';
import { options, ROOT, requiredServerUrl, withSql } from './lib/cli';
import { Haproxy } from './lib/haproxy';
import { type Checklist, runHarness, type Teardown } from './lib/harness';
import { checkOut, git, migrate, previousVersion } from './lib/previous-version';
import { DRILL_ENV, freePort, type RunningServer, startServer } from './lib/server';
import { between, MixedTraffic, missingWrites, summarize } from './lib/traffic';

const CLIENTS = 12;
const REQUEST_BUDGET_MS = 10_000;
/** Traffic measured before the deploy starts (the baseline for p99) and after it ends. */
const BEFORE_MS = 8000;
const AFTER_MS = 4000;

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

/** The previous version on two instances behind HAProxy, on a database it migrated, with traffic seeded. */
async function setUp(serverUrl: string, teardown: Teardown) {
  const base = previousVersion(options({}).positionals[0]);
  console.log(`Previous version ${base.slice(0, 12)}, new version ${git('rev-parse', '--short', 'HEAD')} (HEAD)`);
  const checkout = checkOut(base);
  teardown.add(() => checkout.remove());
  const database = await createTestDatabase(serverUrl, 'conduit_deploy', { migrate: false });
  teardown.add(() => database.drop());
  await migrate(checkout.root, database.url);
  const env = { ...DRILL_ENV, DATABASE_URL: database.url };
  const ports = [await freePort(), await freePort()];
  const instances: RunningServer[] = [];
  teardown.add(() => Promise.all(instances.map((instance) => instance.stop())));
  for (const port of ports) instances.push(await startServer(env, { root: checkout.root, port, quiet: true }));
  const listen = await freePort();
  const haproxy = await Haproxy.start(haproxyConfig(listen, ports));
  teardown.add(() => haproxy.stop());
  for (const server of ['app1', 'app2']) await haproxy.waitFor('app', server, 'up', (stat) => stat.status === 'UP');
  const traffic = new MixedTraffic(`http://127.0.0.1:${listen}/api`, { clients: CLIENTS, budgetMs: REQUEST_BUDGET_MS });
  teardown.add(() => traffic.stop());
  await traffic.seed();
  console.log(`HAProxy on :${listen} over two old instances; ${CLIENTS} clients of mixed traffic ...`);
  const oldProcesses = instances.map((instance) => instance.process);
  return { databaseUrl: database.url, env, ports, instances, oldProcesses, haproxy, traffic };
}

type Drill = Awaited<ReturnType<typeof setUp>>;

/**
 * Replaces slot's instance with this version on its port: drained at the balancer and stopped with
 * SIGTERM (resolves with its exit code), or, with `crash`, killed (SIGKILL) while it serves.
 */
async function replace({ haproxy, instances, env, ports }: Drill, slot: number, crash = false): Promise<number> {
  const server = `app${slot + 1}`;
  const instance = instances[slot] as RunningServer;
  let exitCode: number;
  if (crash) {
    instance.process.kill('SIGKILL');
    exitCode = await instance.process.exited;
    await haproxy.waitFor('app', server, 'down', (stat) => stat.status.startsWith('DOWN'));
  } else {
    await haproxy.command(`set server app/${server} state drain`);
    await haproxy.waitFor('app', server, 'drained', (stat) => stat.status.startsWith('DRAIN') && stat.current === 0);
    exitCode = await instance.stop();
  }
  instances[slot] = await startServer(env, { port: ports[slot], quiet: true });
  if (!crash) await haproxy.command(`set server app/${server} state ready`);
  await haproxy.waitFor('app', server, 'up', (stat) => stat.status === 'UP');
  return exitCode;
}

/** The broken migration (and its undoing): renames comments' column `from` to `to`, as a careless migration would. */
function renameColumn(databaseUrl: string, from: string, to: string): Promise<unknown> {
  return withSql(databaseUrl, (sql) => sql.unsafe(`alter table comments rename column ${from} to ${to}`));
}

/** The deploy under traffic: db:migrate, then each instance drained, stopped and replaced. */
async function deploy(drill: Drill) {
  const { traffic } = drill;
  traffic.start();
  const startedAt = performance.now();
  await Bun.sleep(BEFORE_MS);
  const deployStartedAt = performance.now();
  console.log('Deploy: db:migrate with the new migrations, the old instances serving ...');
  await migrate(ROOT, drill.databaseUrl);
  const migratedAt = performance.now();
  const exitCodes: number[] = [];
  for (const [slot, port] of drill.ports.entries()) {
    console.log(`Deploy: draining app${slot + 1}, SIGTERM, the new version on :${port} ...`);
    exitCodes.push(await replace(drill, slot));
  }
  const deployEndedAt = performance.now();
  await Bun.sleep(AFTER_MS);
  // Every request of the deploy has its answer before the broken deploys begin.
  await traffic.stop();
  return { startedAt, deployStartedAt, migratedAt, deployEndedAt, endedAt: performance.now(), exitCodes };
}

/** The drill checking itself: an instance killed without draining, then a column renamed under traffic. */
async function breakOnPurpose(drill: Drill) {
  const { traffic } = drill;
  console.log('Broken deploy, on purpose: app1 stopped with SIGKILL, without draining ...');
  const crashStartedAt = performance.now();
  traffic.start();
  await Bun.sleep(1000);
  await replace(drill, 0, true);
  await Bun.sleep(1000);
  await traffic.stop();
  const crashed = summarize(between(traffic.samples, crashStartedAt, performance.now()));

  console.log('Broken migration, on purpose: a column the running instances use renamed under traffic ...');
  const renameStartedAt = performance.now();
  traffic.start();
  await Bun.sleep(1000);
  await renameColumn(drill.databaseUrl, 'body', 'body_renamed');
  await traffic.waitForFailure(renameStartedAt, REQUEST_BUDGET_MS * 3);
  await renameColumn(drill.databaseUrl, 'body_renamed', 'body');
  await traffic.stop();
  return { crashed, renamed: summarize(between(traffic.samples, renameStartedAt, performance.now())) };
}

type Summary = ReturnType<typeof summarize>;
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const latency = (s: Summary) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`;
const failedOf = (s: Summary) => `${s.failed} of ${s.requests} requests failed${s.failed ? ` (${s.byOutcome})` : ''}`;

async function report(
  checks: Checklist,
  drill: Drill,
  t: Awaited<ReturnType<typeof deploy>>,
  broken: Awaited<ReturnType<typeof breakOnPurpose>>,
) {
  const { samples, acknowledged: ack } = drill.traffic;
  const over = (from: number, to: number) => summarize(between(samples, from, to));
  const before = over(t.startedAt, t.deployStartedAt);
  const during = over(t.deployStartedAt, t.deployEndedAt);
  const after = over(t.deployEndedAt, t.endedAt);
  const whole = over(t.startedAt, t.endedAt);
  const missing = await missingWrites(drill.databaseUrl, ack);
  const lost = missing.users.length + missing.articles.length + missing.comments.length + missing.favorites.length;

  for (const sample of between(samples, t.startedAt, t.endedAt)
    .filter((s) => !s.ok)
    .slice(0, 10)) {
    const at = seconds(sample.startedAt - t.deployStartedAt);
    console.log(
      `  failed: ${sample.what} → ${sample.outcome} (sent at ${at} s from the deploy's start) ${sample.error ?? ''}`,
    );
  }
  console.log(`
Rolling deploy drill
  requests:            ${whole.requests} over ${seconds(t.endedAt - t.startedAt)} s, ${during.requests} during the deploy (${seconds(t.deployEndedAt - t.deployStartedAt)} s, db:migrate ${seconds(t.migratedAt - t.deployStartedAt)} s)
  failed requests:     ${whole.failed}${whole.failed ? ` (${whole.byOutcome})` : ''}
  latency before:      ${latency(before)} (${before.requests} requests)
  latency during:      ${latency(during)}
  latency after:       ${latency(after)}
  acknowledged writes: ${ack.users.length} users, ${ack.articles.length} articles, ${ack.comments.length} comments, ${ack.favorites.length} favorites; lost ${lost}
  old instances' exit codes after SIGTERM: ${t.exitCodes.join(', ')}
  broken deploy (SIGKILL, no drain): ${failedOf(broken.crashed)}
  broken migration (comments.body renamed): ${failedOf(broken.renamed)}
`);
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
    t.exitCodes.length === 2 && t.exitCodes.every((code) => code === 0),
    t.exitCodes.join(', '),
  );
  checks.check(
    'every acknowledged write is in the database (users, articles, comments, favorites)',
    lost === 0,
    JSON.stringify(missing).slice(0, 500),
  );
  checks.check(
    'the old versions are gone and the new version serves on both ports',
    drill.oldProcesses.every((old) => old.exitCode !== null) &&
      !drill.instances.some((instance) => drill.oldProcesses.includes(instance.process)),
  );
  checks.check(
    'the drill catches a broken deploy (an instance killed without draining fails requests)',
    broken.crashed.failed > 0,
    'no request failed',
  );
  checks.check(
    'the drill catches a migration the running version cannot run on (a column it uses renamed)',
    broken.renamed.failed > 0,
    'no request failed',
  );
}

export function main(): Promise<never> {
  const serverUrl = requiredServerUrl('test:deploy');
  return runHarness(async (checks, teardown) => {
    const drill = await setUp(serverUrl, teardown);
    const times = await deploy(drill);
    await report(checks, drill, times, await breakOnPurpose(drill));
  });
}

if (import.meta.main) await main();
