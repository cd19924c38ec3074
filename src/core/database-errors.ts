/**
 * Reading driver errors. Drizzle wraps them, and postgres.js and PGlite name their fields
 * differently; these helpers look through both.
 */

interface PgErrorFields {
  code?: string;
  constraint_name?: string;
  constraint?: string;
  column_name?: string;
  column?: string;
}

function* causes(error: unknown): Generator<Error & PgErrorFields> {
  for (let e: unknown = error; e instanceof Error; e = e.cause) yield e as Error & PgErrorFields;
}

function violated(error: unknown, code: string): string | undefined {
  for (const e of causes(error)) {
    if (e.code === code) return e.constraint_name ?? e.constraint ?? '';
  }
  return undefined;
}

/** The first error code along the cause chain (a PostgreSQL SQLSTATE such as "55P03", or a driver's). */
export function sqlState(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** The unique constraint or index a statement violated, if that is why it failed. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  return violated(error, '23505');
}

/** The foreign key a statement violated (a row it points to is gone), if that is why it failed. */
export function violatedForeignKey(error: unknown): string | undefined {
  return violated(error, '23503');
}

/** The column that refused a NULL, if that is why a statement failed. */
export function violatedNotNull(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (e.code === '23502') return e.column_name ?? e.column ?? '';
  }
  return undefined;
}

/** Connection failures (postgres.js codes and Node's), and server states that say "not now". */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '53300', // too_many_connections
  '57014', // query_canceled: the statement timeout fired
  // read_only_sql_transaction: a write reached a primary demoted a moment ago (a switchover or a
  // failover, before the balancer's check caught up); the next connection reaches the new primary.
  '25006',
]);

/** True when the database could not be reached or would not serve: worth a 503 and a retry. */
export function databaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code && (UNAVAILABLE.has(e.code) || e.code.startsWith('08'))) return true;
  }
  return false;
}

/** True when PostgreSQL refused a character it cannot store in text (NUL, broken encoding). */
export function unstorableText(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === '22021' || e.code === '22P05') return true;
  }
  return false;
}

/**
 * Rethrows a unique or foreign-key violation as the typed error its constraint maps to, and
 * any other error as it is. Repositories use it so that the database, not a prior check,
 * decides what is taken or gone.
 */
export function rethrowConstraintViolation(error: unknown, errorsByConstraint: Record<string, () => Error>): never {
  const constraint = violatedUniqueConstraint(error) ?? violatedForeignKey(error);
  const typedError = constraint === undefined ? undefined : errorsByConstraint[constraint];
  throw typedError ? typedError() : error;
}
