import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Every tag ever used, with how many articles carry it now. The count is kept by the articles
 * repository in the same transaction as the articles themselves, so that the tag list and the
 * size of a tag's article list are lookups, not counts over every article.
 */
export const tags = pgTable(
  'tags',
  {
    name: text().primaryKey(),
    articleCount: integer().notNull().default(0),
  },
  // The tag list's order, most used first: read straight from this index.
  (table) => [index('tags_popular_idx').on(table.articleCount.desc().nullsFirst(), table.name)],
);
