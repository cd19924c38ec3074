/**
 * `bun run bench [--articles 1000] [--seconds 10] [--connections 50] [--pool 5] [--smoke]`
 *
 * Seeds a fresh database, starts the real server, and loads each scenario with autocannon for a
 * fixed time after a warm-up. Two ceilings are measured in the same run on the same data:
 * a trivial Bun server returning a body of the list page's size (HTTP ceiling), and pgbench
 * running the exact statement that serves the list page (DB ceiling). Each scenario is reported
 * as req/s, p50/p99 latency, non-2xx responses, server RSS, and as a ratio to its ceiling, because
 * absolute numbers on a shared machine drift from run to run.
 *
 * Writes (except with --smoke, one second per scenario, which CI runs so this never rots) the
 * size's section of BENCHMARKS.md: the table, a Mermaid chart of the ratios, and EXPLAIN ANALYZE of
 * the list statements.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger, options, ROOT } from '../lib/cli';
import { runHarness } from '../lib/harness';
import { type RunningServer, residentMiB, startServer } from '../lib/server';
import type { Execution } from './captured-statements';
import { explainAll, listStatements, pgbenchCeiling } from './db-ceiling';
import { type Measurement, renderSection, replaceSection } from './report';
import { benchScenarios, load, logIn, type Scenario } from './scenarios';
import { seededDatabase, sizeFor } from './seed';
import { inTurns, type LoadSettings } from './side-by-side';

const log = logger('bench');
/** The scenarios WORKERS=2 is measured against WORKERS=1 on, and observability's cost. */
const WORKER_SCENARIOS = ['GET /api/tags', 'GET /api/articles (anonymous)', 'GET /api/articles/:slug'];
const OBSERVED_SCENARIOS = ['GET /api/articles (anonymous)', 'GET /api/articles/:slug'];

/** Each scenario on `server` after a warm-up: req/s, latency, failures, and the server's peak RSS. */
async function measureScenarios(server: RunningServer, scenarios: Scenario[], settings: LoadSettings) {
  const token = await logIn(server.origin);
  const measure = (scenario: Scenario, seconds: number) =>
    load(server.origin, scenario, { seconds, connections: settings.connections, token });
  const measurements: Measurement[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    log(`(${index + 1}/${scenarios.length}) ${scenario.name}: warming up, then measuring ...`);
    await measure(scenario, settings.warmup);
    let rss = residentMiB(server.process.pid);
    const sampler = setInterval(() => {
      rss = Math.max(rss, residentMiB(server.process.pid));
    }, 200);
    const result = await measure(scenario, settings.seconds);
    clearInterval(sampler);
    measurements.push({
      name: scenario.name,
      ceiling: scenario.ceiling,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx + result.errors + result.timeouts,
      rssMiB: rss,
    });
  }
  return measurements;
}

/** The HTTP ceiling: a trivial Bun server answering with a body the size of the list page. */
async function measureHttpCeiling(origin: string, settings: LoadSettings): Promise<number> {
  const listBody = await (await fetch(`${origin}/api/articles`)).text();
  const ceiling = Bun.spawn(['bun', join(import.meta.dir, 'http-ceiling.ts'), String(listBody.length)], {
    stdout: 'pipe',
  });
  try {
    const reader = (ceiling.stdout as ReadableStream<Uint8Array>).getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    log(`HTTP ceiling: trivial Bun.serve with a ${listBody.length}-byte body ...`);
    const rates = await inTurns({ ceiling: { origin: `http://127.0.0.1:${port}` } }, trivial, settings, 1);
    return rates.ceiling;
  } finally {
    ceiling.kill('SIGTERM');
  }
}
const trivial: Scenario = { name: 'trivial', ceiling: 'http', request: { path: '/' } };

/**
 * Servers with these environments, fresh (a long-running process is not comparable to new ones),
 * measured in turns on `names` of the scenarios; req/s per scenario and server.
 */
async function inTurnsOnFreshServers<Name extends string>(
  what: string,
  environments: Record<Name, Record<string, string>>,
  scenarios: Scenario[],
  names: string[],
  settings: LoadSettings,
) {
  const servers = {} as Record<Name, RunningServer & { token: string }>;
  for (const [name, env] of Object.entries(environments) as [Name, Record<string, string>][]) {
    const server = await startServer(env);
    servers[name] = { ...server, token: await logIn(server.origin) };
  }
  try {
    const results: ({ name: string } & Record<Name, number>)[] = [];
    for (const scenario of scenarios.filter((s) => names.includes(s.name))) {
      log(`${what}: ${scenario.name}, taking turns ...`);
      results.push({ name: scenario.name, ...(await inTurns(servers, scenario, settings)) });
    }
    return results;
  } finally {
    await Promise.all(Object.values<RunningServer>(servers).map((server) => server.stop()));
  }
}

export function main(): Promise<never> {
  const { values } = options({ articles: 1000, seconds: 10, warmup: 3, connections: 50, pool: 5, smoke: false });
  // 2 x cores + 1 served best on the 2-core machine (--pool, the servers' DB_POOL_MAX; pgbench gets
  // as many connections); the app's own default is 10.
  const { articles, connections, pool, smoke } = values;
  const settings = { seconds: smoke ? 1 : values.seconds, warmup: smoke ? 1 : values.warmup, connections };
  return runHarness(async (checks, teardown) => {
    const size = sizeFor(articles);
    log(
      `${articles} articles, ${size.users} users; ${settings.seconds} s per scenario after ${settings.warmup} s of warm-up, ${connections} connections`,
    );
    const database = await seededDatabase(articles, log, { embedded: true });
    teardown.add(() => database.drop());

    // The DB ceiling, measured before any scenario writes, so on the data the list scenarios read.
    let dbCeiling: number | undefined;
    let explains: { name: string; plan: string }[] = [];
    if (database.url) {
      const statements = await listStatements(database.url);
      log(`DB ceiling: pgbench, ${pool} connections, the list page's statement ...`);
      dbCeiling = pgbenchCeiling(database.url, statements['list (anonymous)'] as Execution, {
        ...settings,
        connections: pool,
      });
      if (dbCeiling === undefined) log('pgbench is not installed (Debian: postgresql-client): no DB ceiling');
      explains = await explainAll(database.url, statements);
    } else log('no DB ceiling without a PostgreSQL server');

    const serverEnv = {
      ...(database.url ? { DATABASE_URL: database.url } : { PGLITE_DATA_DIR: database.embeddedDir as string }),
      NODE_ENV: 'production',
      JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      // Metrics on, as in a production deployment that scrapes them (production without a token keeps them off).
      METRICS_TOKEN: crypto.randomUUID(),
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: String(pool),
    };
    const scenarios = benchScenarios(articles);
    const server = await startServer(serverEnv);
    teardown.add(() => server.stop());
    const measurements = await measureScenarios(server, scenarios, settings);
    const httpCeiling = await measureHttpCeiling(server.origin, settings);
    await server.stop();

    // WORKERS=2 against 1 (a pool of `pool` each), and what observability costs: metrics off, on (the
    // default), and on with tracing exported over OTLP to a sink that answers at once.
    const sink = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('{}') });
    teardown.add(() => sink.stop(true));
    const tracing = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`,
      OTEL_SERVICE_NAME: 'conduit-bench',
    };
    const workerComparison = database.url
      ? await inTurnsOnFreshServers(
          'WORKERS=2 against 1',
          { one: serverEnv, two: { ...serverEnv, WORKERS: '2' } },
          scenarios,
          WORKER_SCENARIOS,
          settings,
        )
      : [];
    const observabilityCost = database.url
      ? await inTurnsOnFreshServers(
          'observability cost',
          {
            off: { ...serverEnv, METRICS_ENABLED: 'false' },
            metrics: serverEnv,
            tracing: { ...serverEnv, ...tracing },
          },
          scenarios,
          OBSERVED_SCENARIOS,
          settings,
        )
      : [];

    const section = renderSection({
      articles,
      users: size.users,
      seconds: settings.seconds,
      connections,
      pool,
      database: database.url ? 'PostgreSQL server' : 'embedded PGlite',
      httpCeiling,
      dbCeiling,
      measurements,
      workerComparison,
      observabilityCost,
      explains,
      date: new Date().toISOString().slice(0, 10),
    });
    console.log(`\n${section.summary}`);
    if (smoke) log('smoke run: BENCHMARKS.md left as it is');
    else {
      const file = join(ROOT, 'BENCHMARKS.md');
      const current = await Bun.file(file)
        .text()
        .catch(() => '');
      writeFileSync(file, replaceSection(current, articles, section.markdown));
      log(`wrote the ${articles}-article section of BENCHMARKS.md`);
    }
    const broken = measurements.filter((m) => m.non2xx > 0);
    checks.check('every scenario answered 2xx only', broken.length === 0, broken.map((m) => m.name).join(', '));
  });
}

if (import.meta.main) await main();
