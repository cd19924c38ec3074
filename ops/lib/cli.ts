/**
 * What every harness script shares before it starts: its options (node:util parseArgs, numbers
 * checked once), the PostgreSQL server it makes its databases on, and a log prefix.
 */
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import postgres from 'postgres';
import { createTestDatabase, type TestDatabase } from '../../src/test/database';

/** The checkout these scripts belong to. */
export const ROOT = resolve(import.meta.dir, '../..');

/** The local PostgreSQL (trust authentication), for harnesses that need a server and were given none. */
const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

type Defaults = Record<string, number | string | boolean>;
type Values<D extends Defaults> = {
  [K in keyof D]: D[K] extends number ? number : D[K] extends boolean ? boolean : string;
};

/**
 * `--name value` options with these defaults (a number's default makes it a number option, checked
 * to be one, 0 or more), and the arguments that are not options.
 */
export function options<D extends Defaults>(
  defaults: D,
  args = process.argv.slice(2),
): { values: Values<D>; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [
      name,
      typeof value === 'boolean' ? { type: 'boolean', default: value } : { type: 'string', default: String(value) },
    ]),
  ) as ParseArgsConfig['options'];
  const parsed = parseArgs({ args, options: config, allowPositionals: true });
  const values = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => {
      const given = (parsed.values as Record<string, unknown>)[name];
      if (typeof value !== 'number') return [name, given];
      const number = Number(given);
      if (!Number.isFinite(number) || number < 0) throw new Error(`--${name} must be a number, 0 or more: ${given}`);
      return [name, number];
    }),
  );
  return { values: values as Values<D>, positionals: parsed.positionals };
}

/** The server a harness that needs one makes its databases on: TEST_DATABASE_URL's, else DATABASE_URL's, else the local one. */
export function serverUrl(): string {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || LOCAL_SERVER_URL;
}

/** TEST_DATABASE_URL, for the harnesses that must be told which server they may make databases on; else a failed run. */
export function requiredServerUrl(harness: string): string {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return url;
  console.error(`${harness} needs a PostgreSQL server: set TEST_DATABASE_URL (it makes and drops its own databases).`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** A fresh, migrated database on TEST_DATABASE_URL's server when that is set; else undefined (the embedded one). */
export async function databaseIfServer(prefix: string): Promise<TestDatabase | undefined> {
  const url = process.env.TEST_DATABASE_URL;
  return url ? createTestDatabase(url, prefix) : undefined;
}

/** Whether a PostgreSQL server answers at `url` within two seconds. */
export async function reachable(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

/** Runs `work` on one connection to `url`, closed afterwards whatever happened. */
export async function withSql<T>(url: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** Progress lines, "[name] message", on standard error: standard output is the harness's report. */
export function logger(name: string): (message: string) => void {
  return (message) => console.error(`[${name}] ${message}`);
}
