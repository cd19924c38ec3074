/**
 * An article as a viewer sees it, as a typed row: the one article shape (`summaryColumns`, which
 * the list, ./article-list.repository.ts, selects too) and the statement that reads one by slug.
 * Tags, favorite count and viewer flags are correlated subqueries, each an index probe, run only for
 * the rows returned.
 */
import { eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { type ColumnsOf, query, viewer, viewerParam } from '../core/sql';
import { profileColumns, type UserSource } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
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

/**
 * The id of the article with this slug (off the slug's unique index): the one lookup of an article by
 * slug, as a subquery, for the statements that act on an article a request names (favorites, comments).
 */
export function articleIdBySlug(slug: string | SQLWrapper) {
  return query.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));
}

export type ArticleRow = NonNullable<Awaited<ReturnType<ArticleReadsRepository['findArticle']>>>;

/** An article by slug as a viewer sees it, on `database`. */
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

  const articleRefBySlug = preparedOn((database) =>
    database
      .select({ id: articles.id, authorId: articles.authorId, title: articles.title })
      .from(articles)
      .where(eq(articles.slug, sql.placeholder('slug')))
      .prepare('article_ref_by_slug'),
  );

  /**
   * The article's id, author and title, if there is one with this slug: what deciding a write needs
   * (from the primary, like every read that decides a write), or whether it exists at all.
   */
  async function findArticleRef(slug: string, { readFrom }: { readFrom: ReadFrom }) {
    using _operation = await admit('articles.findArticleRef', readFrom);
    const [row] = await articleRefBySlug(readFrom).execute({ slug });
    return row;
  }

  return { findArticle, findArticleRef };
}

export type ArticleReadsRepository = ReturnType<typeof articleReadsRepository>;
