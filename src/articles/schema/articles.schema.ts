import { index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../../users/schema/users.schema';

export const articles = pgTable(
  'articles',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    slug: text().notNull(),
    title: text().notNull(),
    description: text().notNull(),
    body: text().notNull(),
    authorId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('articles_slug_unique').on(table.slug),
    // Lists are "most recent first, id breaks ties": read backwards, these indexes return that order
    // without sorting, globally and per author (the author filter and the feed).
    index('articles_created_idx').on(table.createdAt, table.id),
    index('articles_author_created_idx').on(table.authorId, table.createdAt, table.id),
  ],
);
