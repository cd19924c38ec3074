/**
 * The DB ceiling and the plans: pgbench running the list page's own statement, and EXPLAIN ANALYZE
 * of each list statement, as the app runs them. The statements are learnt from the app itself: a
 * server started on a relay that records what it sends (./captured-statements.ts) serves one page of
 * each kind, and its longest statement per request is that page's (a page of articles joined
 * LATERAL to their authors; the other statements of a request are a token's user lookup).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withSql } from '../lib/cli';
import { startServer } from '../lib/server';
import { captureStatements, type Execution } from './captured-statements';
import { logIn } from './scenarios';

/** The list pages whose statements are explained; the first is the one pgbench runs. */
const PAGES: Record<string, { path: string; signedIn?: boolean }> = {
  'list (anonymous)': { path: '/api/articles' },
  'list (viewer)': { path: '/api/articles', signedIn: true },
  tag: { path: '/api/articles?tag=tag-25' },
  author: { path: '/api/articles?author=user7' },
  favorited: { path: '/api/articles?favorited=user7' },
  feed: { path: '/api/articles/feed', signedIn: true },
};

/** The app's session settings (src/core/connection.ts): generic plans, no JIT. */
const SESSION = { plan_cache_mode: 'force_generic_plan', jit: 'off' };

/** Each list page's statement, with the parameters the app sent for it, on the seeded database at `databaseUrl`. */
export async function listStatements(databaseUrl: string): Promise<Record<string, Execution>> {
  const capture = await captureStatements(databaseUrl);
  const server = await startServer({ DATABASE_URL: capture.url, DB_POOL_MAX: '1', LOG_LEVEL: 'error' });
  try {
    const token = await logIn(server.origin);
    const statements: Record<string, Execution> = {};
    for (const [name, { path, signedIn }] of Object.entries(PAGES)) {
      capture.executions.length = 0;
      const response = await fetch(`${server.origin}${path}`, {
        headers: signedIn ? { authorization: `Token ${token}` } : {},
      });
      if (!response.ok) throw new Error(`${path} answered ${response.status} on the relay`);
      await response.arrayBuffer();
      const longest = capture.executions.toSorted((a, b) => b.sql.length - a.sql.length)[0];
      if (!longest) throw new Error(`${path}: no statement went through the relay`);
      statements[name] = longest;
    }
    return statements;
  } finally {
    await server.stop();
    capture.stop();
  }
}

const literal = (value: string | null) => (value === null ? 'null' : `'${value.replaceAll("'", "''")}'`);

/**
 * pgbench with `connections` clients running `statement` prepared, under a generic plan, as the
 * app does; after `warmup` s, twice for `seconds`, keeping the better: a dip on the shared machine
 * must not lower the ceiling (and so flatter every ratio against it). Undefined without pgbench.
 */
export function pgbenchCeiling(
  databaseUrl: string,
  statement: Execution,
  { connections, seconds, warmup }: { connections: number; seconds: number; warmup: number },
): number | undefined {
  if (!Bun.which('pgbench')) return undefined;
  const folder = mkdtempSync(join(tmpdir(), 'conduit-pgbench-'));
  const script = join(folder, 'list.sql');
  // Numbers become pgbench variables (parameters of the prepared statement); text goes in quoted.
  const sql = statement.sql.replace(/\$(\d+)/g, (_, n) => {
    const value = statement.params[Number(n) - 1] ?? null;
    return value !== null && /^-?\d+$/.test(value) ? `:p${n}` : literal(value);
  });
  const variables = statement.params.flatMap((value, i) =>
    value !== null && /^-?\d+$/.test(value) ? [`\\set p${i + 1} ${value}`] : [],
  );
  writeFileSync(script, [...variables, `${sql};`].join('\n'));
  const options = Object.entries(SESSION).map(([name, value]) => `-c ${name}=${value}`);
  const run = (duration: number) =>
    Bun.spawnSync(
      [
        'pgbench',
        '-n',
        '-M',
        'prepared',
        '-c',
        String(connections),
        '-j',
        '2',
        '-T',
        String(duration),
        '-f',
        script,
        databaseUrl,
      ],
      { env: { ...process.env, PGOPTIONS: options.join(' ') } },
    );
  try {
    run(warmup);
    const tps = [1, 2].map(() => Number(/tps = ([\d.]+)/.exec(run(seconds).stdout.toString())?.[1]) || 0);
    return Math.max(...tps) || undefined;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, prepared and executed with its parameters as the app runs it. */
export function explainAll(
  databaseUrl: string,
  statements: Record<string, Execution>,
): Promise<{ name: string; plan: string }[]> {
  return withSql(databaseUrl, async (client) => {
    for (const [name, value] of Object.entries(SESSION)) await client.unsafe(`set ${name} = ${value}`);
    const plans: { name: string; plan: string }[] = [];
    for (const [name, { sql, params }] of Object.entries(statements)) {
      await client.unsafe(`prepare bench_statement as ${sql}`);
      const rows = await client.unsafe(
        `explain (analyze, buffers, costs off, summary on) execute bench_statement(${params.map(literal).join(', ')})`,
      );
      await client.unsafe('deallocate bench_statement');
      plans.push({ name, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
    }
    return plans;
  });
}
