import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { db } from '../core/database';
import { rethrowConstraintViolation, violatedUniqueConstraint } from '../core/database-errors';
import { NotFound, UserGone } from '../core/errors';
import { authorColumns } from '../profiles/profiles.repository';
import { follows } from '../profiles/schema/follows.schema';
import { tags } from '../tags/schema/tags.schema';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articleTotals } from './schema/article-totals.schema';
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

/** A list row without the total it carries. */
export type ArticleSummaryRow = Omit<Awaited<ReturnType<typeof listArticles>>['rows'][number], 'total'>;
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
    author === undefined
      ? undefined
      : eq(articles.authorId, sql`(select ${users.id} from ${users} where ${users.username} = ${author})`),
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

/**
 * How many articles match: a lookup in the counters for the two common cases (no filter, one
 * tag), a count over an index for the narrow ones (an author's, a favoriter's, a feed).
 */
function matchCount(filters: ArticleFilters): SQL<number> {
  const { tag, ...others } = filters;
  const narrowed = Object.values(others).some((value) => value !== undefined);
  if (!narrowed && tag === undefined) {
    return sql<number>`coalesce((select ${articleTotals.articles} from ${articleTotals}), 0)`;
  }
  if (!narrowed && tag !== undefined) {
    return sql<number>`coalesce((select ${tags.articleCount} from ${tags} where ${tags.name} = ${tag}), 0)`;
  }
  return sql<number>`(select count(*)::int from ${articles} where ${matching(filters)})`;
}

/**
 * One page, most recent first, and the total number of matches, in one statement: the total is
 * an uncorrelated subquery that PostgreSQL evaluates once (an InitPlan) and repeats on every row.
 * Only a page past the end (no rows to carry it) costs a second statement.
 */
export async function listArticles(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
) {
  const rows = await articlePageQuery(filters, page, viewerId);
  if (rows[0] !== undefined) return { rows, count: rows[0].total };
  if (page.offset === 0) return { rows, count: 0 };
  const [beyond] = await db.select({ total: matchCount(filters) }).from(sql`(select 1) as one`);
  return { rows, count: beyond?.total ?? 0 };
}

/** The statement behind a list page (exported for the benchmark, which measures it alone). */
export function articlePageQuery(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
) {
  return db
    .select({ ...summaryColumns(viewerId), total: matchCount(filters) })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(matching(filters))
    .orderBy(desc(articles.createdAt), desc(articles.id))
    .limit(page.limit)
    .offset(page.offset);
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
  tagList: string[],
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
      await countArticles(tx, +1);
      await countTags(
        tx,
        tagList.map((tag) => [tag, +1] as const),
      );
      if (tagList.length > 0) {
        await tx.insert(articleTags).values(tagList.map((tag) => ({ articleId: inserted.id, tag })));
      }
      return slug;
    }
    throw new Error('no free slug among the candidates');
  });
  return insert.catch((error) => rethrowConstraintViolation(error, GONE));
}

type Transaction = Parameters<Parameters<typeof db.transaction>[0]>[0];

/*
 * The counters are rows that concurrent writers update, so every transaction takes their locks in
 * one order (the article's row, then the total, then tags alphabetically) and none can deadlock.
 */

async function countArticles(tx: Transaction, delta: number): Promise<void> {
  await tx
    .insert(articleTotals)
    .values({ id: true, articles: delta })
    .onConflictDoUpdate({ target: articleTotals.id, set: { articles: sql`${articleTotals.articles} + ${delta}` } });
}

/**
 * Applies each tag's change to its article count, creating tags on first use, in one statement.
 * Rows go in alphabetical order, which is the order their locks are taken in.
 */
async function countTags(tx: Transaction, changes: readonly (readonly [tag: string, delta: number])[]): Promise<void> {
  if (changes.length === 0) return;
  const sorted = [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await tx
    .insert(tags)
    .values(sorted.map(([name, delta]) => ({ name, articleCount: delta })))
    .onConflictDoUpdate({
      target: tags.name,
      set: { articleCount: sql`${tags.articleCount} + excluded.article_count` },
    });
}

/**
 * Applies the changes (and, when `slugs` is given, moves the article to the first free one) and
 * replaces the tags when `tags` is given, in one transaction. Returns the article's slug.
 */
export async function updateArticle(
  id: number,
  changes: Partial<ArticleContent>,
  tagList: string[] | undefined,
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

    if (tagList !== undefined) {
      // The UPDATE above holds the article's row lock, so no other change to its tags interleaves.
      const current = (
        await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id))
      ).map((row) => row.tag);
      const removed = current.filter((tag) => !tagList.includes(tag));
      const added = tagList.filter((tag) => !current.includes(tag));
      await countTags(tx, [...added.map((tag) => [tag, +1] as const), ...removed.map((tag) => [tag, -1] as const)]);
      if (removed.length > 0) {
        await tx.delete(articleTags).where(and(eq(articleTags.articleId, id), inArray(articleTags.tag, removed)));
      }
      if (added.length > 0) await tx.insert(articleTags).values(added.map((tag) => ({ articleId: id, tag })));
    }
    return updated.slug;
  });
}

/** Its comments, favorites and tag links go with it (ON DELETE CASCADE); the counters go down. */
export async function deleteArticle(id: number): Promise<void> {
  await db.transaction(async (tx) => {
    // Lock the article first: a second, concurrent delete waits here and then finds nothing to count.
    const [locked] = await tx.select({ id: articles.id }).from(articles).where(eq(articles.id, id)).for('update');
    if (!locked) return;
    const tagList = await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id));
    await countArticles(tx, -1);
    await countTags(
      tx,
      tagList.map(({ tag }) => [tag, -1] as const),
    );
    await tx.delete(articles).where(eq(articles.id, id));
  });
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
