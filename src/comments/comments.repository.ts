import { and, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { articles } from '../articles/schema/articles.schema';
import { db, primaryDb } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { dbOperation } from '../core/metrics';
import { isoTime } from '../core/sql';
import { authorJson } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { comments } from './schema/comments.schema';

/** A comment as JSON, built in SQL, from comment columns (or a CTE's) joined with its author. */
function commentJson(
  comment: { id: SQLWrapper; body: SQLWrapper; createdAt: SQLWrapper; updatedAt: SQLWrapper; authorId: SQLWrapper },
  viewer: SQLWrapper,
): SQL {
  return sql`json_build_object(
    'id', ${comment.id},
    'createdAt', ${isoTime(comment.createdAt)},
    'updatedAt', ${isoTime(comment.updatedAt)},
    'body', ${comment.body},
    'author', ${authorJson(viewer, comment.authorId)}
  )`;
}

/**
 * `{"comments": [...]}` (newest first, authors as the viewer sees them) as JSON text, in one
 * prepared statement; undefined when there is no such article. The article is the left side of
 * the join and the group, so an article without comments still yields its row.
 */
const commentsStatement = db
  .select({
    json: sql<string>`json_build_object('comments', coalesce(
      json_agg(${commentJson(comments, sql.placeholder('viewer'))} order by ${comments.createdAt} desc, ${comments.id} desc)
        filter (where ${comments.id} is not null),
      '[]'::json))::text`,
  })
  .from(articles)
  .leftJoin(comments, eq(comments.articleId, articles.id))
  .leftJoin(users, eq(users.id, comments.authorId))
  .where(eq(articles.slug, sql.placeholder('slug')))
  .groupBy(articles.id)
  .prepare('comments_of_article');

export async function commentsJson(slug: string, viewerId: number | null): Promise<string | undefined> {
  using _operation = dbOperation('comments.commentsJson');
  const [row] = await commentsStatement.execute({ slug, viewer: viewerId ?? 0 });
  return row?.json;
}

/** The id of the article with this slug, if there is one. */
export async function findArticleId(slug: string): Promise<number | undefined> {
  using _operation = dbOperation('comments.findArticleId');
  // From the primary, like every read that decides a write.
  const [row] = await primaryDb.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));
  return row?.id;
}

/** Adds a comment and returns `{"comment": {...}}` with its author as JSON text, in one statement. */
export async function insertComment(articleId: number, authorId: number, body: string): Promise<string> {
  using _operation = dbOperation('comments.insertComment');
  // On the primary explicitly: a statement that starts WITH counts as a read for the replica router.
  const inserted = primaryDb
    .$with('inserted')
    .as(primaryDb.insert(comments).values({ articleId, authorId, body }).returning());
  const [row] = await primaryDb
    .with(inserted)
    .select({ json: sql<string>`json_build_object('comment', ${commentJson(inserted, sql`${authorId}::int`)})::text` })
    .from(inserted)
    .innerJoin(users, eq(users.id, inserted.authorId))
    .catch((error) =>
      rethrowConstraintViolation(error, {
        comments_author_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
        comments_article_id_articles_id_fk: () => new NotFound('article'),
      }),
    );
  if (!row) throw new Error('the inserted comment has no author');
  return row.json;
}

/** Whether the article exists, and if the comment belongs to it, who wrote the comment. */
export async function findCommentOwnership(slug: string, commentId: number) {
  using _operation = dbOperation('comments.findCommentOwnership');
  const [row] = await primaryDb
    .select({ articleId: articles.id, commentAuthorId: comments.authorId })
    .from(articles)
    .leftJoin(comments, and(eq(comments.articleId, articles.id), eq(comments.id, commentId)))
    .where(eq(articles.slug, slug));
  return row;
}

export async function deleteComment(commentId: number): Promise<void> {
  using _operation = dbOperation('comments.deleteComment');
  await db.delete(comments).where(eq(comments.id, commentId));
}
