import { integer, pgTable } from 'drizzle-orm/pg-core';
import { users } from '../../users/schema/users.schema';

/**
 * How many articles each author has. The ?author= count and the feed's count (a sum over the
 * followed authors) read these rows instead of counting articles, which for a prolific author
 * means thousands of index entries per page. The articles repository keeps them, in the same
 * transaction as each create and delete, with article_totals.
 */
export const authorTotals = pgTable('author_totals', {
  authorId: integer()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  articles: integer().notNull().default(0),
});
