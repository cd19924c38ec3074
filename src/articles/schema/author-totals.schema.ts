import { integer, pgTable } from 'drizzle-orm/pg-core';
import { users } from '../../users/schema/users.schema';

/**
 * Retired: the previous version's per-author article counts, kept by hand in its write
 * transactions. This version neither reads nor writes them (./article-counts.schema.ts replaces
 * them); the table stays for the previous version during a rolling deploy, and a later release drops it.
 */
export const authorTotals = pgTable('author_totals', {
  authorId: integer()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  articles: integer().notNull().default(0),
});
