import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable } from 'drizzle-orm/pg-core';

/**
 * One row: how many articles exist. Counting them on every unfiltered list page would read
 * every article (milliseconds at 100k); the articles repository keeps this number instead,
 * in the same transaction as each create and delete.
 */
export const articleTotals = pgTable(
  'article_totals',
  {
    id: boolean().primaryKey().default(true),
    articles: integer().notNull().default(0),
  },
  (table) => [check('article_totals_single_row', sql`${table.id}`)],
);
