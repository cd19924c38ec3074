import { index, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { users } from '../../users/schema/users.schema';
import { articles } from './articles.schema';

/**
 * Who favorited what. The key tells whether a user favorited an article; the indexes count an
 * article's favorites and list a user's favorites by the articles' recency.
 */
export const favorites = pgTable(
  'favorites',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** A copy of the article's (immutable) creation time, so a user's favorites come in order from the index. */
    articleCreatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.articleId] }),
    index('favorites_article_user_idx').on(table.articleId, table.userId),
    // A user's favorites, most recent article first: the first rows of this index (read backwards)
    // are the ?favorited= page, without sorting, however many articles the user has favorited.
    index('favorites_user_created_idx').on(table.userId, table.articleCreatedAt, table.articleId),
  ],
);
