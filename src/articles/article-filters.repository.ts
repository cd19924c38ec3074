/**
 * The list filters in SQL, shared by the pages (./article-pages.repository.ts) and their counts; only
 * SQL fragments, run wherever the statement that embeds them runs.
 */
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { query } from '../core/sql';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/** Each filter in use is a placeholder of its name in the prepared statements. */
export interface ArticleFilters {
  tag?: string;
  author?: string;
  favoritedBy?: string;
  /** Only articles by authors this user follows (the feed). */
  followedBy?: number;
}

const FILTER_NAMES = ['tag', 'author', 'favoritedBy', 'followedBy'] as const;

/** The filters in use, one name per combination: one prepared statement each. */
export function filtersInUse(filters: ArticleFilters): (typeof FILTER_NAMES)[number][] {
  return FILTER_NAMES.filter((name) => filters[name] !== undefined);
}

/**
 * The id of the user whose username the placeholder holds, in any letter case as usernames are
 * unique regardless of it (null when there is none).
 */
function userIdNamedBy(placeholder: 'author' | 'favoritedBy'): SQL {
  return sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${sql.placeholder(placeholder)}))`;
}
export const authorId = userIdNamedBy('author');
export const favoriterId = userIdNamedBy('favoritedBy');

/**
 * The WHERE clause on `articles` for the filters in use. (The feed has none: its page walks the
 * followed authors, and its count sums theirs.)
 */
export function matching(filters: Omit<ArticleFilters, 'followedBy'>): SQL | undefined {
  return and(
    filters.tag === undefined
      ? undefined
      : inArray(
          articles.id,
          query
            .select({ id: articleTags.articleId })
            .from(articleTags)
            .where(eq(articleTags.tag, sql.placeholder('tag'))),
        ),
    filters.author === undefined ? undefined : eq(articles.authorId, authorId),
    filters.favoritedBy === undefined
      ? undefined
      : inArray(
          articles.id,
          query.select({ id: favorites.articleId }).from(favorites).where(eq(favorites.userId, favoriterId)),
        ),
  );
}
