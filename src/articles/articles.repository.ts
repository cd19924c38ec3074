import { and, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { db } from '../core/database';
import { rethrowConstraintViolation, violatedUniqueConstraint } from '../core/database-errors';
import { NotFound, UserGone } from '../core/errors';
import { authorColumns } from '../profiles/profiles.repository';
import { follows } from '../profiles/schema/follows.schema';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/** Writes by a user deleted after their token was issued, or on an article deleted meanwhile. */
const GONE = {
  articles_author_id_users_id_fk: () => new UserGone(),
  favorites_user_id_users_id_fk: () => new UserGone(),
  favorites_article_id_articles_id_fk: () => new NotFound('article'),
};

/**
 * What a list item shows, computed in SQL for the viewer: tags, favorite count and the two
 * viewer flags are correlated subqueries, each an index probe, evaluated only for the rows
 * of the page (the LIMIT stops the scan before they run for anything else).
 */
function summaryColumns(viewerId: number | null) {
  return {
    slug: articles.slug,
    title: articles.title,
    description: articles.description,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
    tagList: sql<
      string[]
    >`array(select ${articleTags.tag} from ${articleTags} where ${articleTags.articleId} = ${articles.id} order by ${articleTags.tag})`,
    favoritesCount: sql<number>`(select count(*)::int from ${favorites} where ${favorites.articleId} = ${articles.id})`,
    favorited:
      viewerId === null
        ? sql<boolean>`false`
        : sql<boolean>`exists (select 1 from ${favorites} where ${favorites.userId} = ${viewerId} and ${favorites.articleId} = ${articles.id})`,
    ...authorColumns(viewerId, articles.authorId),
  };
}

function detailColumns(viewerId: number | null) {
  return { ...summaryColumns(viewerId), body: articles.body };
}

export type ArticleSummaryRow = Awaited<ReturnType<typeof listArticles>>['rows'][number];
export type ArticleRow = NonNullable<Awaited<ReturnType<typeof findArticle>>>;

export interface ArticleFilters {
  tag?: string;
  author?: string;
  favoritedBy?: string;
  /** Only articles by authors this user follows. */
  followedBy?: number;
}

const favoriter = alias(users, 'favoriter');

function matching({ tag, author, favoritedBy, followedBy }: ArticleFilters): SQL | undefined {
  return and(
    tag === undefined
      ? undefined
      : inArray(
          articles.id,
          db.select({ id: articleTags.articleId }).from(articleTags).where(eq(articleTags.tag, tag)),
        ),
    author === undefined ? undefined : eq(users.username, author),
    favoritedBy === undefined
      ? undefined
      : inArray(
          articles.id,
          db
            .select({ id: favorites.articleId })
            .from(favorites)
            .innerJoin(favoriter, eq(favoriter.id, favorites.userId))
            .where(eq(favoriter.username, favoritedBy)),
        ),
    followedBy === undefined
      ? undefined
      : inArray(
          articles.authorId,
          db.select({ id: follows.followedId }).from(follows).where(eq(follows.followerId, followedBy)),
        ),
  );
}

/** One page, most recent first, and the total number of matches, as two statements run side by side. */
export async function listArticles(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
) {
  const where = matching(filters);
  const [rows, [total]] = await Promise.all([
    db
      .select(summaryColumns(viewerId))
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(where)
      .orderBy(desc(articles.createdAt), desc(articles.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ count: count() }).from(articles).innerJoin(users, eq(users.id, articles.authorId)).where(where),
  ]);
  return { rows, count: total?.count ?? 0 };
}

export async function findArticle(slug: string, viewerId: number | null) {
  const [row] = await db
    .select(detailColumns(viewerId))
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(eq(articles.slug, slug));
  return row;
}

/** Just enough to decide who may change an article. */
export async function findArticleOwnership(slug: string) {
  const [row] = await db
    .select({ id: articles.id, authorId: articles.authorId, title: articles.title })
    .from(articles)
    .where(eq(articles.slug, slug));
  return row;
}

interface ArticleContent {
  title: string;
  description: string;
  body: string;
}

/**
 * Inserts the article under the first free slug of `slugs`, with its tags, in one transaction.
 * ON CONFLICT DO NOTHING lets a taken slug fall through to the next candidate without an error,
 * also when parallel requests race for the same one. Returns the slug used.
 */
export async function insertArticle(
  authorId: number,
  content: ArticleContent,
  tags: string[],
  slugs: Iterable<string>,
): Promise<string> {
  const insert = db.transaction(async (tx) => {
    for (const slug of slugs) {
      const [inserted] = await tx
        .insert(articles)
        .values({ ...content, slug, authorId })
        .onConflictDoNothing({ target: articles.slug })
        .returning({ id: articles.id });
      if (!inserted) continue;
      if (tags.length > 0) await tx.insert(articleTags).values(tags.map((tag) => ({ articleId: inserted.id, tag })));
      return slug;
    }
    throw new Error('no free slug among the candidates');
  });
  return insert.catch((error) => rethrowConstraintViolation(error, GONE));
}

/**
 * Applies the changes (and, when `slugs` is given, moves the article to the first free one) and
 * replaces the tags when `tags` is given, in one transaction. Returns the article's slug.
 */
export async function updateArticle(
  id: number,
  changes: Partial<ArticleContent>,
  tags: string[] | undefined,
  slugs: Iterable<string> | undefined,
): Promise<string> {
  return db.transaction(async (tx) => {
    const update = (runner: Pick<typeof tx, 'update'>, slug?: string) =>
      runner
        .update(articles)
        .set({ ...changes, ...(slug && { slug }), updatedAt: sql`now()` })
        .where(eq(articles.id, id))
        .returning({ slug: articles.slug });

    let updated: { slug: string } | undefined;
    if (slugs === undefined) {
      [updated] = await update(tx);
    } else {
      for (const slug of slugs) {
        try {
          // A savepoint per attempt: a taken slug fails the UPDATE without failing the transaction.
          [updated] = await tx.transaction((savepoint) => update(savepoint, slug));
          break;
        } catch (error) {
          if (violatedUniqueConstraint(error) === undefined) throw error;
        }
      }
    }
    if (!updated) throw new Error('article vanished or no free slug among the candidates');

    if (tags !== undefined) {
      await tx.delete(articleTags).where(eq(articleTags.articleId, id));
      if (tags.length > 0) await tx.insert(articleTags).values(tags.map((tag) => ({ articleId: id, tag })));
    }
    return updated.slug;
  });
}

/** Its comments, favorites and tags go with it (ON DELETE CASCADE). */
export async function deleteArticle(id: number): Promise<void> {
  await db.delete(articles).where(eq(articles.id, id));
}

/** Idempotent; does nothing when no article has this slug. */
export async function insertFavorite(userId: number, slug: string): Promise<void> {
  await db
    .insert(favorites)
    .select(
      db
        .select({
          userId: sql<number>`${userId}::int`.as('user_id'),
          articleId: articles.id,
          createdAt: sql<Date>`now()`.as('created_at'),
        })
        .from(articles)
        .where(eq(articles.slug, slug)),
    )
    .onConflictDoNothing()
    .catch((error) => rethrowConstraintViolation(error, GONE));
}

export async function deleteFavorite(userId: number, slug: string): Promise<void> {
  await db
    .delete(favorites)
    .where(
      and(
        eq(favorites.userId, userId),
        inArray(favorites.articleId, db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))),
      ),
    );
}
