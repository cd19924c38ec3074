import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * How many articles carry each tag, for the tag list and a tag's `articlesCount`. Kept by triggers on
 * `article_tags`, in shards, exactly as the article counts are (see
 * src/articles/schema/article-counts.schema.ts): a popular tag is no row that article writes queue on.
 */
export const tagArticleCounts = pgTable(
  'tag_article_counts',
  {
    tag: text().notNull(),
    shard: integer().notNull(),
    articles: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.tag, table.shard] })],
);
