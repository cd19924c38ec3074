/**
 * Reading articles as a viewer sees them, as typed rows: one statement for an article, one for a
 * list page (with its count), each prepared once per filter combination and database, then only
 * executed. Tags, favorite count and viewer flags are correlated subqueries, each an index probe,
 * run only for the rows returned.
 */
import { desc, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Database, ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { type ColumnsOf, viewer, viewerParam } from '../core/sql';
import { profileColumns, type UserSource } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { articleCountQuery } from './article-counts.repository';
import { type ArticleFilters, filtersInUse } from './article-filters.repository';
import { pageOfIds } from './article-pages.repository';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

type ArticleSource = ColumnsOf<typeof articles, 'id' | 'slug' | 'title' | 'description' | 'createdAt' | 'updatedAt'>;

/** An article's tags, alphabetically, from its tag links. */
function tagsOf(articleId: SQLWrapper) {
  return sql<
    string[]
  >`array(select ${articleTags.tag} from ${articleTags} where ${articleTags.articleId} = ${articleId} order by ${articleTags.tag})`;
}

/**
 * An article's summary as the viewer sees it (lists leave the body out): the one article shape.
 * `source` and `author` are tables, or subqueries or CTEs of their columns. `tagList` replaces the
 * lookup of the tag links, for a statement that writes them itself (and so cannot see them).
 */
export function summaryColumns<Article extends ArticleSource, Author extends UserSource>(
  source: Article,
  author: Author,
  viewerId: SQLWrapper,
  { tagList }: { tagList?: SQL<string[]> } = {},
) {
  // Typed as the source has them (a table, or a subquery under its own name), not as the constraint.
  const article: Pick<Article, keyof ArticleSource> = source;
  return {
    slug: article.slug,
    title: article.title,
    description: article.description,
    tagList: tagList ?? tagsOf(article.id),
    createdAt: article.createdAt,
    updatedAt: article.updatedAt,
    favorited: sql<boolean>`exists (select 1 from ${favorites} where ${favorites.userId} = ${viewerId} and ${favorites.articleId} = ${article.id})`,
    favoritesCount: sql<number>`(select count(*)::int from ${favorites} where ${favorites.articleId} = ${article.id})`,
    author: profileColumns(author, viewerId),
  };
}

export type ArticleRow = NonNullable<Awaited<ReturnType<ArticleReadsRepository['findArticle']>>>;

/*
 * A page's articles and authors are looked up through LATERAL subqueries, which PostgreSQL can only
 * run as an index probe per row of the page. A plain join would leave the choice to the planner, and
 * a generic plan (see plan_cache_mode in src/core/connection.ts) cannot know the page holds 20 rows:
 * it guesses a tenth of the table and hashes all of `articles` and `users`, which at 100k articles is
 * hundreds of times slower. (The LIMIT 1 keeps PostgreSQL from flattening them back into joins.)
 */
function pageQuery(database: Database, filters: ArticleFilters) {
  const page = pageOfIds(filters);
  const article = database
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
  const author = database
    .select({ id: users.id, username: users.username, bio: users.bio, image: users.image })
    .from(users)
    .where(eq(users.id, article.authorId))
    .limit(1)
    .as('author');
  return database
    .select({
      ...summaryColumns(article, author, viewer),
      // The same for every row, computed once (an uncorrelated subquery).
      articlesCount: sql<number>`(${articleCountQuery(database, filters)})`,
    })
    .from(page)
    .innerJoinLateral(article, sql`true`)
    .innerJoinLateral(author, sql`true`)
    .orderBy(desc(page.createdAt), desc(page.id));
}

/** The list page's statement as a query object, unprepared: to EXPLAIN it, or to run it elsewhere (the benchmark's pgbench ceiling). */
export function articlePageQuery(database: Database, filters: ArticleFilters) {
  return pageQuery(database, filters);
}

/**
 * The values of a list statement's placeholders: the filters, the page, the window each followed
 * author contributes to a feed page (limit + offset), and the viewer.
 */
export function pageParams(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
): Record<string, unknown> {
  return { ...filters, ...page, window: page.limit + page.offset, viewer: viewerParam(viewerId) };
}

type PageStatement = (readFrom: ReadFrom) => ReturnType<ReturnType<typeof pageQuery>['prepare']>;
type CountStatement = (readFrom: ReadFrom) => ReturnType<ReturnType<typeof articleCountQuery>['prepare']>;
/** Articles as a viewer sees them, on `database`: one by slug, or a list page. */
export function articleReadsRepository({ preparedOn, admit }: AppDatabase) {
  const articleBySlug = preparedOn((database) =>
    database
      .select({ ...summaryColumns(articles, users, viewer), body: articles.body })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(eq(articles.slug, sql.placeholder('slug')))
      .prepare('article_by_slug'),
  );

  /**
   * The article as the viewer sees it, if there is one with this slug. The answer to a request that
   * has just changed the article reads the primary, so that it shows the change.
   */
  async function findArticle(slug: string, viewerId: number | null, { readFrom }: { readFrom: ReadFrom }) {
    using _operation = await admit('articles.findArticle', readFrom);
    const [row] = await articleBySlug(readFrom).execute({ slug, viewer: viewerParam(viewerId) });
    return row;
  }

  const statements = new Map<string, { page: PageStatement; count: CountStatement }>();

  function statementsFor(filters: ArticleFilters) {
    const key = filtersInUse(filters).join('_') || 'all';
    let found = statements.get(key);
    if (!found) {
      found = {
        page: preparedOn((database) => pageQuery(database, filters).prepare(`articles_page_${key}`)),
        count: preparedOn((database) => articleCountQuery(database, filters).prepare(`articles_count_${key}`)),
      };
      statements.set(key, found);
    }
    return found;
  }

  /**
   * A list page (most recent first) and how many articles match the filters in all, from a replica.
   * One statement: every row carries the count. Only an empty page needs the count on its own, and
   * only past the first page (an empty first page means there are none).
   */
  async function findArticlePage(
    filters: ArticleFilters,
    page: { limit: number; offset: number },
    viewerId: number | null,
  ) {
    using _operation = await admit('articles.findArticlePage', 'replicas');
    const statement = statementsFor(filters);
    const params = pageParams(filters, page, viewerId);
    const rows = await statement.page('replicas').execute(params);
    const counted = rows[0] ?? (page.offset > 0 ? (await statement.count('replicas').execute(params))[0] : undefined);
    return { rows, articlesCount: counted?.articlesCount ?? 0 };
  }

  return { findArticle, findArticlePage };
}

export type ArticleReadsRepository = ReturnType<typeof articleReadsRepository>;
