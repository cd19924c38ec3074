import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Every tag ever used (article_tags references it). How many articles carry each is counted in
 * ./tag-counts.schema.ts. `article_count` and its index are the retired hand-kept count: no statement
 * of this version names the column (a new tag gets its default), but the previous version still
 * writes it, so the next release drops them (docs/migrations.md, "Pending contract steps").
 */
export const tags = pgTable(
  'tags',
  {
    name: text().primaryKey(),
    /** Drizzle's inserts name every column, this one too: new tags go in through `insertNewTags` (article-writes.repository.ts). */
    articleCount: integer().notNull().default(0),
  },
  // The tag list order of the versions before the database kept the counts, most used first; nothing reads it now.
  (table) => [index('tags_popular_idx').on(table.articleCount.desc().nullsFirst(), table.name)],
);
