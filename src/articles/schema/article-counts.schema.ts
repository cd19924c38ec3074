import { integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';

/*
 * How many articles there are, in all and by author, for `articlesCount` (a count over every
 * article would read 100k index entries per unfiltered page). The database keeps these numbers
 * itself: triggers on `articles` (drizzle/0017_count_articles_in_the_database.sql) add what each
 * statement inserted and subtract what it deleted, so API writes, cascades (a deleted user's
 * articles) and operator SQL all keep them exact.
 *
 * Each number is split over up to 16 shards, read as their sum: a writing transaction claims a shard
 * no concurrent writer holds (an advisory lock per shard) and adds only to that shard's rows, so
 * concurrent article writes never queue on one row, even for one author. Rows of shards that sum to
 * zero (an author whose articles are gone) are harmless and left in place.
 */

export const articleCounts = pgTable('article_counts', {
  shard: integer().primaryKey(),
  articles: integer().notNull(),
});

export const authorArticleCounts = pgTable(
  'author_article_counts',
  {
    /**
     * No foreign key: when a user is deleted, their row in `users` goes first and their articles
     * (cascading) then subtract here, which a reference to the gone user would refuse.
     */
    authorId: integer().notNull(),
    shard: integer().notNull(),
    articles: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.authorId, table.shard] })],
);
