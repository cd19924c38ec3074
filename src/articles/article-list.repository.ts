/**
 * The article list (GET /api/articles, with its filters, and the feed), top to bottom, as one
 * statement per combination of filters and database, prepared once and then only executed:
 *
 * 1. `ListParams`: every value the statements take, typed; a placeholder names one of them or fails
 *    the typecheck.
 * 2. `FILTERS`: the filter kinds, one entry each: how it narrows the articles, the index its page
 *    walks when it leads, and the count the database keeps for it.
 * 3. `pageOfIds`: the ids on the page, most recent first, read off the leading filter's index, so
 *    that LIMIT and OFFSET cut an index walk, never a sort of every matching article.
 * 4. `listQuery`: each id's article and author (index probes), as the viewer sees them, and how many
 *    articles match in all, carried by every row.
 * 5. `articleListRepository`: the statements on a database, and the page read from a replica.
 */
import { and, desc, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Database, ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import type { PageRange } from '../core/paging';
import { query, viewerParam } from '../core/sql';
import { follows } from '../profiles/schema/follows.schema';
import { tagArticleCounts } from '../tags/schema/tag-counts.schema';
import { users } from '../users/schema/users.schema';
import { summaryColumns } from './article-reads.repository';
import { articleCounts, authorArticleCounts } from './schema/article-counts.schema';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

// 1. The values -------------------------------------------------------------------------------

/** Which articles a list shows: any of these, or none (every article). (Types, not interfaces: they are the statements' parameter records.) */
export type ArticleFilters = {
  tag?: string;
  /** A username, any letter case. */
  author?: string;
  /** A username, any letter case: the articles they favorited. */
  favoritedBy?: string;
  /** A user id: the articles of the authors they follow (the feed). */
  followedBy?: number;
};

/** The values of a list statement's placeholders. */
export type ListParams = ArticleFilters & {
  /** The page: `limit` articles after the first `offset`. */
  limit: number;
  offset: number;
  /** How many of each followed author's latest articles a feed page draws on: limit + offset. */
  window: number;
  /** The viewer's id for `favorited` and `following`, 0 when anonymous (src/core/sql.ts). */
  viewer: number;
};

/** A placeholder of the list statements, by the name of its value. */
const param = (name: keyof ListParams) => sql.placeholder(name);

/** The values for a page of `filters` as `viewerId` sees it. */
function listParams(filters: ArticleFilters, page: PageRange, viewerId: number | null): ListParams {
  return { ...filters, ...page, window: page.limit + page.offset, viewer: viewerParam(viewerId) };
}

// 2. The filter kinds -------------------------------------------------------------------------

/** The id of the user a username placeholder names, in any letter case (usernames are unique regardless). */
const userNamedBy = (name: 'author' | 'favoritedBy') =>
  sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${param(name)}))`;

/** The sum of a count's shards; an aggregate, so there is a row (0) even when there are none. */
const total = (column: SQLWrapper) => sql<number>`coalesce(sum(${column}), 0)::int`;
/** The rows counted, as an int (count() is a bigint, which drivers hand over as a string). */
const counted = sql<number>`count(*)::int`;

/**
 * Each filter: `narrows`, its condition on `articles` when another filter leads the walk; `page`,
 * its own index walk when it leads (the others checked on the way); `count`, its article count when
 * it is the only filter: the counts the database keeps (sums over at most 16 shard rows, see
 * ./schema/article-counts.schema.ts), or a favoriter's slice of the favorites index.
 */
const FILTERS = {
  tag: {
    narrows: () =>
      inArray(
        articles.id,
        query
          .select({ id: articleTags.articleId })
          .from(articleTags)
          .where(eq(articleTags.tag, param('tag'))),
      ),
    // The tag's own index (tag, creation time, id), whatever the tag's size.
    page: (others: ArticleFilters) =>
      query
        .select({ id: articleTags.articleId, createdAt: articleTags.articleCreatedAt })
        .from(articleTags)
        .innerJoin(articles, eq(articles.id, articleTags.articleId))
        .where(and(eq(articleTags.tag, param('tag')), narrowedBy(others, 'tag')))
        .orderBy(desc(articleTags.articleCreatedAt), desc(articleTags.articleId)),
    count: (database: Database) =>
      database
        .select({ articlesCount: total(tagArticleCounts.articles) })
        .from(tagArticleCounts)
        .where(eq(tagArticleCounts.tag, param('tag'))),
  },
  author: {
    narrows: () => eq(articles.authorId, userNamedBy('author')),
    page: undefined,
    count: (database: Database) =>
      database
        .select({ articlesCount: total(authorArticleCounts.articles) })
        .from(authorArticleCounts)
        .where(eq(authorArticleCounts.authorId, userNamedBy('author'))),
  },
  favoritedBy: {
    narrows: () =>
      inArray(
        articles.id,
        query
          .select({ id: favorites.articleId })
          .from(favorites)
          .where(eq(favorites.userId, userNamedBy('favoritedBy'))),
      ),
    // The favoriter's slice of the favorites index, most recent article first (each favorite holds its
    // article's creation time): just the page, however many articles they have favorited.
    page: (others: ArticleFilters) => {
      const walk = query
        .select({ id: favorites.articleId, createdAt: favorites.articleCreatedAt })
        .from(favorites)
        .$dynamic();
      const alsoNarrowed = narrowedBy(others, 'favoritedBy');
      // The articles table only when another filter (an author) needs it.
      if (alsoNarrowed !== undefined) walk.innerJoin(articles, eq(articles.id, favorites.articleId));
      return walk
        .where(and(eq(favorites.userId, userNamedBy('favoritedBy')), alsoNarrowed))
        .orderBy(desc(favorites.articleCreatedAt), desc(favorites.articleId));
    },
    // Every favorite has its article (a foreign key), so the favoriter's favorites are the count.
    count: (database: Database) =>
      database
        .select({ articlesCount: counted })
        .from(favorites)
        .where(eq(favorites.userId, userNamedBy('favoritedBy'))),
  },
  followedBy: {
    // The feed takes no other filter.
    narrows: undefined,
    // Each followed author's latest `window` articles, an index range each, merged: its cost grows
    // with the number of followed authors, never with the number of articles.
    page: () => {
      const latest = query
        .select({ id: articles.id, createdAt: articles.createdAt })
        .from(articles)
        .where(eq(articles.authorId, follows.followedId))
        .orderBy(desc(articles.createdAt), desc(articles.id))
        .limit(param('window'))
        .as('latest');
      return query
        .select({ id: latest.id, createdAt: latest.createdAt })
        .from(follows)
        .crossJoinLateral(latest)
        .where(eq(follows.followerId, param('followedBy')))
        .orderBy(desc(latest.createdAt), desc(latest.id));
    },
    count: (database: Database) =>
      database
        .select({ articlesCount: total(authorArticleCounts.articles) })
        .from(follows)
        .innerJoin(authorArticleCounts, eq(authorArticleCounts.authorId, follows.followedId))
        .where(eq(follows.followerId, param('followedBy'))),
  },
} satisfies Record<keyof ArticleFilters, unknown>;

type FilterKind = keyof typeof FILTERS;
const KINDS = Object.keys(FILTERS) as FilterKind[];

/** Whose index a page walks when several filters are given: the first of these in use. */
const LEADS = ['followedBy', 'tag', 'favoritedBy'] as const;

/** The filters in use. */
export function filtersInUse(filters: ArticleFilters): FilterKind[] {
  return KINDS.filter((kind) => filters[kind] !== undefined);
}

/** The conditions of the filters in use on `articles`, but `leading`'s (its walk is the condition). */
function narrowedBy(filters: ArticleFilters, leading?: FilterKind): SQL | undefined {
  return and(...filtersInUse(filters).map((kind) => (kind === leading ? undefined : FILTERS[kind].narrows?.())));
}

// 3. The page's ids ---------------------------------------------------------------------------

/** The ids on the page, with their creation times, most recent first (placeholders `limit` and `offset`). */
function pageOfIds(filters: ArticleFilters) {
  const lead = LEADS.find((kind) => filters[kind] !== undefined);
  const walk = lead
    ? FILTERS[lead].page(filters)
    : query
        .select({ id: articles.id, createdAt: articles.createdAt })
        .from(articles)
        .where(narrowedBy(filters))
        .orderBy(desc(articles.createdAt), desc(articles.id));
  return walk.limit(param('limit')).offset(param('offset')).as('page');
}

// 4. The statements ---------------------------------------------------------------------------

/** A one-row query whose `articlesCount` is how many articles the filters match. */
function countQuery(database: Database, filters: ArticleFilters) {
  const inUse = filtersInUse(filters);
  if (inUse.length === 0) return database.select({ articlesCount: total(articleCounts.articles) }).from(articleCounts);
  if (inUse.length === 1) return FILTERS[inUse[0] as FilterKind].count(database);
  return database.select({ articlesCount: counted }).from(articles).where(narrowedBy(filters));
}

/*
 * A page's articles and authors are looked up through LATERAL subqueries, which PostgreSQL can only
 * run as an index probe per row of the page. A plain join would leave the choice to the planner, and
 * a generic plan (see plan_cache_mode in src/core/connection.ts) cannot know the page holds 20 rows:
 * it guesses a tenth of the table and hashes all of `articles` and `users`, which at 100k articles is
 * hundreds of times slower. (The LIMIT 1 keeps PostgreSQL from flattening them back into joins.)
 */
/** The list page's statement: each row an article as the viewer sees it, with the count in all (also run by the benchmark's pgbench). */
function listQuery(database: Database, filters: ArticleFilters) {
  const page = pageOfIds(filters);
  const article = query
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      description: articles.description,
      authorId: articles.authorId,
      createdAt: articles.createdAt,
      updatedAt: articles.updatedAt,
    })
    .from(articles)
    .where(eq(articles.id, page.id))
    .limit(1)
    .as('article');
  const author = query
    .select({ id: users.id, username: users.username, bio: users.bio, image: users.image })
    .from(users)
    .where(eq(users.id, article.authorId))
    .limit(1)
    .as('author');
  return database
    .select({
      ...summaryColumns(article, author, param('viewer')),
      // The same for every row, computed once (an uncorrelated subquery).
      articlesCount: sql<number>`(${countQuery(database, filters)})`,
    })
    .from(page)
    .innerJoinLateral(article, sql`true`)
    .innerJoinLateral(author, sql`true`)
    .orderBy(desc(page.createdAt), desc(page.id));
}

// 5. On a database ----------------------------------------------------------------------------

type ListStatement = ReturnType<ReturnType<typeof listQuery>['prepare']>;
type CountStatement = ReturnType<ReturnType<typeof countQuery>['prepare']>;

/** List pages on `database`. */
export function articleListRepository({ preparedOn, admit }: AppDatabase) {
  const statements = new Map<
    string,
    { page: (readFrom: ReadFrom) => ListStatement; count: (readFrom: ReadFrom) => CountStatement }
  >();

  /** The statements of this combination of filters, prepared on first use. */
  function statementsFor(filters: ArticleFilters) {
    const key = filtersInUse(filters).join('_') || 'all';
    let found = statements.get(key);
    if (!found) {
      found = {
        page: preparedOn((database) => listQuery(database, filters).prepare(`articles_page_${key}`)),
        count: preparedOn((database) => countQuery(database, filters).prepare(`articles_count_${key}`)),
      };
      statements.set(key, found);
    }
    return found;
  }

  /**
   * A list page (most recent first) and how many articles match the filters in all. One statement:
   * every row carries the count. Only an empty page needs the count on its own, and only past the
   * first page (an empty first page means there are none).
   */
  async function findArticlePage(
    filters: ArticleFilters,
    page: PageRange,
    viewerId: number | null,
    { readFrom }: { readFrom: ReadFrom },
  ) {
    using _operation = await admit('articles.findArticlePage', readFrom);
    const statement = statementsFor(filters);
    const params = listParams(filters, page, viewerId);
    const rows = await statement.page(readFrom).execute(params);
    const counted = rows[0] ?? (page.offset > 0 ? (await statement.count(readFrom).execute(params))[0] : undefined);
    return { rows, articlesCount: counted?.articlesCount ?? 0 };
  }

  return { findArticlePage };
}

export type ArticleListRepository = ReturnType<typeof articleListRepository>;
