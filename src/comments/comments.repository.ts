import { and, desc, eq, type SQLWrapper, sql } from 'drizzle-orm';
import { articles } from '../articles/schema/articles.schema';
import type { ReadFrom } from '../core/connection';
import { db, preparedOn } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { dbOperation } from '../core/metrics';
import { type ColumnsOf, viewer, viewerParam } from '../core/sql';
import { profileColumns } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { comments } from './schema/comments.schema';

type CommentSource = ColumnsOf<typeof comments, 'id' | 'createdAt' | 'updatedAt' | 'body'>;

/** A comment (a row of `comments`, or of the statement that inserted it) joined with its author in `users`. */
function commentColumns<Comment extends CommentSource>(source: Comment, viewerId: SQLWrapper) {
  const comment: Pick<Comment, keyof CommentSource> = source;
  return {
    id: comment.id,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
    body: comment.body,
    author: profileColumns(users, viewerId),
  };
}

const commentsOfArticle = preparedOn((database) =>
  database
    .select(commentColumns(comments, viewer))
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(
      eq(
        comments.articleId,
        database
          .select({ id: articles.id })
          .from(articles)
          .where(eq(articles.slug, sql.placeholder('slug'))),
      ),
    )
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .prepare('comments_of_article'),
);

/** The article's comments, newest first, authors as the viewer sees them; from a replica. */
export async function findComments(slug: string, viewerId: number | null) {
  using _operation = dbOperation('comments.findComments');
  return commentsOfArticle('replicas').execute({ slug, viewer: viewerParam(viewerId) });
}

export type CommentRow = Awaited<ReturnType<typeof findComments>>[number];

const articleIdBySlug = preparedOn((database) =>
  database
    .select({ id: articles.id })
    .from(articles)
    .where(eq(articles.slug, sql.placeholder('slug')))
    .prepare('article_id_by_slug'),
);

/** The id of the article with this slug, if there is one. */
export async function findArticleId(slug: string, { readFrom }: { readFrom: ReadFrom }): Promise<number | undefined> {
  using _operation = dbOperation('comments.findArticleId');
  const [row] = await articleIdBySlug(readFrom).execute({ slug });
  return row?.id;
}

/** Adds a comment and returns it with its author as they see themselves, in one statement. */
export async function insertComment(articleId: number, authorId: number, body: string): Promise<CommentRow> {
  using _operation = dbOperation('comments.insertComment');
  const inserted = db.$with('inserted').as(db.insert(comments).values({ articleId, authorId, body }).returning());
  const [row] = await db
    .with(inserted)
    .select(commentColumns(inserted, sql`${authorId}::int`))
    .from(inserted)
    .innerJoin(users, eq(users.id, inserted.authorId))
    .catch((error) =>
      rethrowConstraintViolation(error, {
        comments_author_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
        comments_article_id_articles_id_fk: () => new NotFound('article'),
      }),
    );
  if (!row) throw new Error('the inserted comment has no author');
  return row;
}

/** Whether the article exists, and if the comment belongs to it, who wrote the comment. */
export async function findCommentOwnership(slug: string, commentId: number) {
  using _operation = dbOperation('comments.findCommentOwnership');
  const [row] = await db
    .select({ articleId: articles.id, commentAuthorId: comments.authorId })
    .from(articles)
    .leftJoin(comments, and(eq(comments.articleId, articles.id), eq(comments.id, commentId)))
    .where(eq(articles.slug, slug));
  return row;
}

export async function deleteCommentById(commentId: number): Promise<void> {
  using _operation = dbOperation('comments.deleteComment');
  await db.delete(comments).where(eq(comments.id, commentId));
}
