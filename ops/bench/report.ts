/** Renders a benchmark run as Markdown (table, chart, plans) and keeps one section per data size. */

export interface Measurement {
  name: string;
  ceiling: 'http' | 'db';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  rssMiB: number;
}

interface Run {
  articles: number;
  users: number;
  seconds: number;
  connections: number;
  pool: number;
  database: string;
  httpCeiling: number;
  dbCeiling: number | undefined;
  measurements: Measurement[];
  /** req/s with WORKERS=1 and WORKERS=2, taking turns (server database only). */
  workerComparison: WorkerComparison[];
  /** req/s with metrics off, on (the default), and on with tracing to an OTLP sink, taking turns. */
  observabilityCost: ObservabilityCost[];
  explains: { name: string; plan: string }[];
  date: string;
}

const GROWTH_SCENARIOS = [
  'GET /api/articles (anonymous)',
  'GET /api/articles?tag=',
  'GET /api/articles?author=',
  'GET /api/articles?favorited=',
  'GET /api/articles/feed',
];
const TARGETS = { db: 0.6, http: 0.1 };

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function ratio(run: Run, m: Measurement): number | undefined {
  const ceiling = m.ceiling === 'db' ? run.dbCeiling : run.httpCeiling;
  return ceiling ? m.requestsPerSecond / ceiling : undefined;
}

function table(run: Run): string {
  const rows = run.measurements.map((m) => {
    const r = ratio(run, m);
    return `| ${m.name} | ${number(m.requestsPerSecond)} | ${number(m.p50, 1)} | ${number(m.p99, 1)} | ${m.non2xx} | ${number(m.rssMiB)} | ${r === undefined ? 'n/a' : `${number(r, 2)} of ${m.ceiling.toUpperCase()}`} |`;
  });
  return [
    '| scenario | req/s | p50 ms | p99 ms | non-2xx | server RSS MiB | ratio to ceiling |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    `| *HTTP ceiling: trivial Bun.serve, same body size as a list page* | ${number(run.httpCeiling)} | | | | | 1.00 |`,
    `| *DB ceiling: pgbench, the list page's statement, ${run.pool} connections, better of two runs* | ${run.dbCeiling ? number(run.dbCeiling) : 'n/a'} | | | | | 1.00 |`,
  ].join('\n');
}

/**
 * Each scenario's ratio to its ceiling as a Mermaid `xychart-beta` bar chart, which GitHub renders
 * from the Markdown itself (no image file to keep in step).
 */
function chart(run: Run): string {
  const items = run.measurements.map((m) => ({
    label: `${m.name} (${m.ceiling})`,
    r: ratio(run, m) ?? 0,
    target: TARGETS[m.ceiling],
  }));
  const top = Math.max(1, ...items.map(({ r }) => r));
  return [
    '```mermaid',
    'xychart-beta horizontal',
    `  title "Ratio to ceiling, ${number(run.articles)} articles (bars: measured; line: target)"`,
    `  x-axis [${items.map(({ label }) => JSON.stringify(label)).join(', ')}]`,
    `  y-axis "ratio to ceiling" 0 --> ${number(Math.ceil(top * 10) / 10, 1)}`,
    `  bar [${items.map(({ r }) => number(r, 2)).join(', ')}]`,
    // The line marks each scenario's target ratio.
    `  line [${items.map(({ target }) => number(target, 2)).join(', ')}]`,
    '```',
  ].join('\n');
}

export interface ObservabilityCost {
  name: string;
  off: number;
  metrics: number;
  tracing: number;
}

function observabilityTable(run: Run): string {
  if (run.observabilityCost.length === 0)
    return '_The cost of metrics and tracing was not measured (it needs a PostgreSQL server)._';
  const share = (part: number, whole: number) => `${number((part / whole) * 100, 1)}%`;
  return [
    'Observability cost (three servers taking turns, twice each: metrics off, metrics on as by default, and metrics with tracing exported over OTLP to a local sink):',
    '',
    '| scenario | req/s, metrics off | req/s, metrics on | req/s, + tracing | metrics on / off | + tracing / off |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...run.observabilityCost.map(
      ({ name, off, metrics, tracing }) =>
        `| ${name} | ${number(off)} | ${number(metrics)} | ${number(tracing)} | ${share(metrics, off)} | ${share(tracing, off)} |`,
    ),
  ].join('\n');
}

export interface WorkerComparison {
  name: string;
  /** req/s, averaged over the turns */
  one: number;
  two: number;
}

function workersTable(run: Run): string {
  if (run.workerComparison.length === 0) return '_WORKERS=2 was not measured (it needs a PostgreSQL server)._';
  return [
    `WORKERS=2 against WORKERS=1 (two server processes sharing the port, a pool of ${run.pool} each; the two take turns, twice each, after all scenarios above):`,
    '',
    '| scenario | req/s, 1 worker | req/s, 2 workers | 2 workers / 1 |',
    '| --- | ---: | ---: | ---: |',
    ...run.workerComparison.map(
      ({ name, one, two }) => `| ${name} | ${number(one)} | ${number(two)} | ${number(two / one, 2)}x |`,
    ),
  ].join('\n');
}

/** The section for BENCHMARKS.md, chart included. */
export function renderSection(run: Run): { summary: string; markdown: string } {
  const plans = run.explains
    .map(({ name, plan }) => `<details><summary>${name}</summary>\n\n\`\`\`\n${plan}\n\`\`\`\n\n</details>`)
    .join('\n');
  const data = { articles: run.articles, p50: Object.fromEntries(run.measurements.map((m) => [m.name, m.p50])) };
  const markdown = [
    `## ${number(run.articles)} articles`,
    '',
    `${run.date}: ${number(run.articles)} articles, ${number(run.users)} users, ${run.database}; ${run.connections} client connections, a pool of ${run.pool} (DB_POOL_MAX, and pgbench's connections), ${run.seconds} s per scenario after a warm-up.`,
    '',
    table(run),
    '',
    workersTable(run),
    '',
    observabilityTable(run),
    '',
    chart(run),
    '',
    '### Query plans (EXPLAIN ANALYZE of the list statements, on this data)',
    '',
    plans || '_No plans: the embedded database was used._',
    '',
    `<!-- data: ${JSON.stringify(data)} -->`,
  ].join('\n');
  return { summary: `${table(run)}\n\n${workersTable(run)}\n\n${observabilityTable(run)}`, markdown };
}

const HEADER = `# Benchmarks

Measured with \`bun run bench\` (\`--articles 1000\` and \`--articles 100000\`): a fresh database seeded in
SQL, the real server, autocannon for a fixed time per scenario after a warm-up, and two ceilings
measured in the same run on the same data (the DB ceiling before any scenario writes, the better of two
pgbench runs). Absolute numbers drift on a shared 2-core machine (the load generator runs on it too);
the ratios are what to compare, and even they move by about ±0.1 from run to run. Targets: list and
feed scenarios at least 0.6 of the DB ceiling, the others at least 0.1 of the HTTP ceiling, and the
list, tag, author, favorited and feed p50 at 100k articles within 2x of 1k. Each size also compares
WORKERS=2 with WORKERS=1 on three scenarios, the two servers taking turns.
`;

function growth(document: string): string {
  const data = [...document.matchAll(/<!-- data: (.*?) -->/g)].map(
    (match) => JSON.parse(match[1] as string) as { articles: number; p50: Record<string, number> },
  );
  const small = data.find((d) => d.articles === 1000);
  const large = data.find((d) => d.articles === 100000);
  if (!small || !large) return '';
  const rows = GROWTH_SCENARIOS.map((name) => {
    const [a, b] = [small.p50[name], large.p50[name]];
    if (a === undefined || b === undefined) return `| ${name} | | | |`;
    return `| ${name} | ${number(a, 1)} | ${number(b, 1)} | ${number(b / Math.max(a, 0.5), 2)}x |`;
  });
  return [
    '## Growth: p50 at 100,000 articles against 1,000 (target: within 2x)',
    '',
    '| scenario | p50 ms at 1k | p50 ms at 100k | growth |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

/** Puts `section` in place of the same size's previous one, keeping the others, and redoes the growth table. */
export function replaceSection(document: string, articles: number, section: string): string {
  const sections = new Map<number, string>();
  for (const match of document.matchAll(/<!-- bench:(\d+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g)) {
    sections.set(Number(match[1]), match[2] as string);
  }
  sections.set(articles, section);
  const body = [...sections.entries()]
    .sort(([a], [b]) => a - b)
    .map(([size, text]) => `<!-- bench:${size} -->\n${text}\n<!-- /bench:${size} -->`)
    .join('\n\n');
  return `${HEADER}\n${growth(body)}\n${body}\n`;
}
