/** SQL pieces that any repository may need, independent of features. */
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, QueryBuilder } from 'drizzle-orm/pg-core';
import { CASING } from './connection';

/**
 * Builds the parts of statements (subqueries, CTEs) that need no database until they run: a
 * repository defines them once, beside the statements that use them, on whichever database runs those.
 */
export const query = new QueryBuilder({ casing: CASING });

/**
 * The viewer of a read, a parameter of the prepared statements that compute viewer flags
 * (`following`, `favorited`): the viewer's user id, or 0 for anonymous requests (no user has that
 * id, so every flag comes out false).
 */
export const viewer = sql.placeholder('viewer');

export function viewerParam(viewerId: number | null): number {
  return viewerId ?? 0;
}

/**
 * Some of a table's columns, whether read from the table itself or from a subquery or CTE that
 * selects them (which types them under its own name): for column sets such as "a profile" that
 * several statements select from different sources. Values keep their types.
 */
export type ColumnsOf<Table, Names extends keyof Table> = {
  [Name in Names]: Table[Name] extends { _: { data: infer Data; notNull: infer NotNull extends boolean } }
    ? AnyPgColumn<{ data: Data; notNull: NotNull }>
    : never;
};
