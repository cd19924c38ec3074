/** Throwaway databases on a PostgreSQL server, for test runs that must not share state. */
import postgres from 'postgres';
import { connect } from '../core/connection';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates a database with a unique name on the server of `serverUrl`, and applies the migrations unless told not to. */
export async function createTestDatabase(
  serverUrl: string,
  prefix = 'conduit_test',
  { migrate = true } = {},
): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  if (!migrate) return { url: url.toString(), drop: () => dropDatabase(admin, name) };
  // DB_PGBOUNCER: the server is a PgBouncer (see ops/pgbouncer.ts), so no named prepared statements.
  const migration = await connect({ url: url.toString(), pgbouncer: process.env.DB_PGBOUNCER === 'true' });
  try {
    await migration.migrate();
  } finally {
    await migration.close();
  }

  return { url: url.toString(), drop: () => dropDatabase(admin, name) };
}

async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
