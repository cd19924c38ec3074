/** Which driver errors mean "the database cannot serve this now" (503 and a retry), not a bug (500). */
import { describe, expect, test } from 'bun:test';
import { databaseUnavailable } from './database-errors';

/** A driver error as Drizzle hands it over: its own error, with PostgreSQL's as the cause. */
function wrapped(code: string): Error {
  return new Error('Failed query: insert into "articles" ...', { cause: Object.assign(new Error('pg'), { code }) });
}

describe('databaseUnavailable', () => {
  test('a write on a primary demoted during a failover or switchover is a retry, not a bug', () => {
    // cannot execute INSERT in a read-only transaction
    expect(databaseUnavailable(wrapped('25006'))).toBe(true);
  });

  test('connection failures and shutdowns are too; a constraint violation is not', () => {
    expect(databaseUnavailable(wrapped('ECONNREFUSED'))).toBe(true);
    expect(databaseUnavailable(wrapped('57P01'))).toBe(true);
    expect(databaseUnavailable(wrapped('08006'))).toBe(true);
    expect(databaseUnavailable(wrapped('23505'))).toBe(false);
  });
});
