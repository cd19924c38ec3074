/** SQL fragments that any repository may need, independent of features. */
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/** A timestamp as ISO-8601 UTC text with milliseconds, exactly as JavaScript's toISOString() writes it. */
export function isoTime(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
