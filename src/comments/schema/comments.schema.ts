import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { articles } from '../../articles/schema/articles.schema';
import { users } from '../../users/schema/users.schema';

export const comments = pgTable(
  'comments',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    authorId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('comments_article_created_idx').on(table.articleId, table.createdAt, table.id)],
);
