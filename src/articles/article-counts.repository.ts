/**
 * How many articles match a list's filters (`articlesCount`). The common cases read the counts the
 * database keeps (no filter, one tag, one author, the feed's followed authors: a sum over at most 16
 * shard rows each, see ./schema/article-counts.schema.ts); a favoriter's count is their slice of the
 * favorites index; combined filters count the matching articles.
 */
import { eq, type SQLWrapper, sql } from 'drizzle-orm';
import type { Database } from '../core/connection';
import { follows } from '../profiles/schema/follows.schema';
import { tagArticleCounts } from '../tags/schema/tag-counts.schema';
import { type ArticleFilters, authorId, favoriterId, filtersInUse, matching } from './article-filters.repository';
import { articleCounts, authorArticleCounts } from './schema/article-counts.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/** The sum of a count's shards; an aggregate, so there is a row (0) even when there are none. */
const total = (column: SQLWrapper) => sql<number>`coalesce(sum(${column}), 0)::int`;

/** The rows counted, as an int (count() is a bigint, which drivers hand over as a string). */
const counted = sql<number>`count(*)::int`;

/** A one-row query whose `articlesCount` is the number of articles the filters match. */
export function articleCountQuery(database: Database, filters: ArticleFilters) {
  const inUse = filtersInUse(filters);
  switch (inUse.length === 1 ? inUse[0] : inUse.length === 0 ? 'none' : 'several') {
    case 'none':
      return database.select({ articlesCount: total(articleCounts.articles) }).from(articleCounts);
    case 'tag':
      return database
        .select({ articlesCount: total(tagArticleCounts.articles) })
        .from(tagArticleCounts)
        .where(eq(tagArticleCounts.tag, sql.placeholder('tag')));
    case 'author':
      return database
        .select({ articlesCount: total(authorArticleCounts.articles) })
        .from(authorArticleCounts)
        .where(eq(authorArticleCounts.authorId, authorId));
    case 'followedBy':
      return database
        .select({ articlesCount: total(authorArticleCounts.articles) })
        .from(follows)
        .innerJoin(authorArticleCounts, eq(authorArticleCounts.authorId, follows.followedId))
        .where(eq(follows.followerId, sql.placeholder('followedBy')));
    case 'favoritedBy':
      // Every favorite has its article (a foreign key), so the favoriter's favorites are the count.
      return database.select({ articlesCount: counted }).from(favorites).where(eq(favorites.userId, favoriterId));
    default:
      return database.select({ articlesCount: counted }).from(articles).where(matching(filters));
  }
}
