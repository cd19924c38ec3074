import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Every tag ever used (article_tags references it). How many articles carry each is counted in
 * ./tag-counts.schema.ts; `article_count` and its index are the previous version's hand-kept count,
 * which this version no longer writes: they stay for that version during a rolling deploy, and a
 * later release drops them.
 */
export const tags = pgTable(
  'tags',
  {
    name: text().primaryKey(),
    articleCount: integer().notNull().default(0),
  },
  // The previous version's tag list order, most used first.
  (table) => [index('tags_popular_idx').on(table.articleCount.desc().nullsFirst(), table.name)],
);
