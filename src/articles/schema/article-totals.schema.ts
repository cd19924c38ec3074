import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable } from 'drizzle-orm/pg-core';

/**
 * Retired: the previous version's article count, one row that every article write had to lock.
 * This version neither reads nor writes it (./article-counts.schema.ts replaces it); it stays for
 * the previous version while a rolling deploy runs both, and a later release drops it.
 */
export const articleTotals = pgTable(
  'article_totals',
  {
    id: boolean().primaryKey().default(true),
    articles: integer().notNull().default(0),
  },
  (table) => [check('article_totals_single_row', sql`${table.id}`)],
);
