/**
 * Writing articles. The counts behind `articlesCount` and the tag list are the database's business
 * (triggers, see ./schema/article-counts.schema.ts): nothing here keeps a counter.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { db } from '../core/database';
import { rethrowConstraintViolation, violatedUniqueConstraint } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { admitDbOperation } from '../core/metrics';
import { tags } from '../tags/schema/tags.schema';
import { users } from '../users/schema/users.schema';
import { type ArticleRow, summaryColumns } from './article-reads.repository';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';

/** Just enough to decide who may change an article (from the primary, like every read that decides a write). */
export async function findArticleOwnership(slug: string) {
  using _operation = await admitDbOperation('articles.findArticleOwnership');
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

/*
 * Creating an article is one prepared statement: the article under the slug given (ON CONFLICT DO
 * NOTHING: no row when the slug is taken, also when a parallel request takes it first), the tags new
 * to the database, the article's tag links (the tags arrive as one array parameter, so one statement
 * serves any number), and the article as its author sees it. A statement does not see the rows it
 * writes, so that answer takes its tags from the links written rather than from article_tags.
 */
const given = {
  slug: sql.placeholder('slug'),
  title: sql.placeholder('title'),
  description: sql.placeholder('description'),
  body: sql.placeholder('body'),
  authorId: sql.placeholder('authorId'),
  tagList: sql.placeholder('tagList'),
};
const inserted = db
  .$with('inserted')
  .as(db.insert(articles).values(given).onConflictDoNothing({ target: articles.slug }).returning());
const givenTags = db
  .$with('given_tags')
  .as(db.select({ tag: sql<string>`tag`.as('tag') }).from(sql`unnest(${given.tagList}::text[]) as given_tags(tag)`));
const newTags = db.$with('new_tags').as(
  db
    .insert(tags)
    .select(
      db
        // article_count: the retired hand-kept count (see tags.schema.ts), until a later release drops it.
        .select({ name: givenTags.tag, articleCount: sql<number>`0`.as('article_count') })
        .from(givenTags)
        // No tags for an article that was not written (its slug was taken).
        .where(sql`exists (select 1 from ${inserted})`),
    )
    .onConflictDoNothing()
    .returning({ name: tags.name }),
);
const links = db.$with('links').as(
  db
    .insert(articleTags)
    .select(
      db
        .select({ articleId: inserted.id, tag: givenTags.tag, articleCreatedAt: inserted.createdAt })
        .from(inserted)
        .crossJoin(givenTags),
    )
    .returning({ tag: articleTags.tag }),
);
const insertStatement = db
  .with(inserted, givenTags, newTags, links)
  .select({
    ...summaryColumns(inserted, users, given.authorId, {
      tagList: sql<string[]>`array(select ${links.tag} from ${links} order by 1)`,
    }),
    body: inserted.body,
  })
  .from(inserted)
  .innerJoin(users, eq(users.id, inserted.authorId))
  .prepare('insert_article');

/** Inserts the article with its tags under the first free slug of `slugs`, and returns it as its author sees it. */
export async function insertArticle(
  authorId: number,
  content: ArticleContent,
  tagList: string[],
  slugs: Iterable<string>,
): Promise<ArticleRow> {
  using _operation = await admitDbOperation('articles.insertArticle');
  for (const slug of slugs) {
    const [created] = await insertStatement.execute({ ...content, slug, authorId, tagList }).catch((error) =>
      rethrowConstraintViolation(error, {
        // Written by a user deleted after their token was issued.
        articles_author_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
      }),
    );
    if (created) return created;
  }
  throw new Error('no free slug among the candidates');
}

/**
 * Applies the changes (and, when `slugs` is given, moves the article to the first free one) and
 * replaces the tags when `tagList` is given, in one transaction. Returns the article's slug.
 */
export async function updateArticleById(
  id: number,
  changes: Partial<ArticleContent>,
  tagList: string[] | undefined,
  slugs: Iterable<string> | undefined,
): Promise<string> {
  using _operation = await admitDbOperation('articles.updateArticle');
  // Awaited here: the measurement (`using`) ends when this function returns, not when the promise settles.
  return await db.transaction(async (tx) => {
    const update = (runner: Pick<typeof tx, 'update'>, slug?: string) =>
      runner
        .update(articles)
        .set({ ...changes, ...(slug && { slug }), updatedAt: sql`now()` })
        .where(eq(articles.id, id))
        .returning({ slug: articles.slug, createdAt: articles.createdAt });

    let updated: { slug: string; createdAt: Date } | undefined;
    if (slugs === undefined) {
      [updated] = await update(tx);
    } else {
      let slugFound = false;
      for (const slug of slugs) {
        try {
          // A savepoint per attempt: a taken slug fails the UPDATE without failing the transaction.
          [updated] = await tx.transaction((savepoint) => update(savepoint, slug));
          slugFound = true;
          break;
        } catch (error) {
          if (violatedUniqueConstraint(error) === undefined) throw error;
        }
      }
      if (!slugFound) throw new Error('no free slug among the candidates');
    }
    // No row: a DELETE of the article committed after this request found it. The loser of that race gets 404.
    if (!updated) throw new NotFound('article');

    if (tagList !== undefined) {
      // The UPDATE above holds the article's row lock, so no other change to its tags interleaves.
      const current = (
        await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id))
      ).map((row) => row.tag);
      const removed = current.filter((tag) => !tagList.includes(tag));
      const added = tagList.filter((tag) => !current.includes(tag));
      if (removed.length > 0) {
        await tx.delete(articleTags).where(and(eq(articleTags.articleId, id), inArray(articleTags.tag, removed)));
      }
      if (added.length > 0) {
        await tx
          .insert(tags)
          .values(added.map((name) => ({ name })))
          .onConflictDoNothing();
        const articleCreatedAt = updated.createdAt;
        await tx.insert(articleTags).values(added.map((tag) => ({ articleId: id, tag, articleCreatedAt })));
      }
    }
    return updated.slug;
  });
}

/** Its comments, favorites and tag links go with it (ON DELETE CASCADE); the counts follow by themselves. */
export async function deleteArticleById(id: number): Promise<void> {
  using _operation = await admitDbOperation('articles.deleteArticle');
  await db.delete(articles).where(eq(articles.id, id));
}
