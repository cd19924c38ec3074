/**
 * Which articles are on a list page: their ids and creation times, most recent first, read off the
 * index that fits the filters, so that LIMIT and OFFSET apply to an index walk, never to a sort of
 * every matching article. Built with the shared query builder (no database): as a subquery it is only SQL, and
 * runs on whichever database the statement that embeds it runs on (a replica, for list pages).
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { query } from '../core/sql';
import { follows } from '../profiles/schema/follows.schema';
import { type ArticleFilters, favoriterId, matching } from './article-filters.repository';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/**
 * A feed page: each followed author's latest `window` (limit + offset) articles, an index range
 * each, merged. Its cost grows with the number of followed authors, never with the number of articles.
 */
function feedPage() {
  const latest = query
    .select({ id: articles.id, createdAt: articles.createdAt })
    .from(articles)
    .where(eq(articles.authorId, follows.followedId))
    .orderBy(desc(articles.createdAt), desc(articles.id))
    .limit(sql.placeholder('window'))
    .as('latest');
  return query
    .select({ id: latest.id, createdAt: latest.createdAt })
    .from(follows)
    .crossJoinLateral(latest)
    .where(eq(follows.followerId, sql.placeholder('followedBy')))
    .orderBy(desc(latest.createdAt), desc(latest.id));
}

/**
 * A ?tag= page: the tag's own index (tag, creation time, id), whatever the tag's size; the other
 * filters, if any, are checked on the way.
 */
function tagPage(others: Omit<ArticleFilters, 'tag' | 'followedBy'>) {
  return query
    .select({ id: articleTags.articleId, createdAt: articleTags.articleCreatedAt })
    .from(articleTags)
    .innerJoin(articles, eq(articles.id, articleTags.articleId))
    .where(and(eq(articleTags.tag, sql.placeholder('tag')), matching(others)))
    .orderBy(desc(articleTags.articleCreatedAt), desc(articleTags.articleId));
}

/**
 * A ?favorited= page: the favoriter's slice of the favorites index, most recent article first (each
 * favorite holds its article's creation time), so it reads just the page however many articles
 * they have favorited. An author filter, if any, is checked on the way.
 */
function favoritesPage(others: Pick<ArticleFilters, 'author'>) {
  const page = query
    .select({ id: favorites.articleId, createdAt: favorites.articleCreatedAt })
    .from(favorites)
    .$dynamic();
  if (others.author !== undefined) page.innerJoin(articles, eq(articles.id, favorites.articleId));
  return page
    .where(and(eq(favorites.userId, favoriterId), matching(others)))
    .orderBy(desc(favorites.articleCreatedAt), desc(favorites.articleId));
}

/** The page's article ids and creation times (placeholders `limit` and `offset`), most recent first. */
export function pageOfIds(filters: ArticleFilters) {
  const { tag, followedBy, ...others } = filters;
  const { favoritedBy, ...rest } = others;
  const ordered =
    followedBy !== undefined
      ? feedPage()
      : tag !== undefined
        ? tagPage(others)
        : favoritedBy !== undefined
          ? favoritesPage(rest)
          : query
              .select({ id: articles.id, createdAt: articles.createdAt })
              .from(articles)
              .where(matching(others))
              .orderBy(desc(articles.createdAt), desc(articles.id));
  return ordered.limit(sql.placeholder('limit')).offset(sql.placeholder('offset')).as('page');
}
