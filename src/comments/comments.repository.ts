import { and, desc, eq } from 'drizzle-orm';
import { articles } from '../articles/schema/articles.schema';
import { db } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound, UserGone } from '../core/errors';
import { type AuthorRow, authorColumns } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { comments } from './schema/comments.schema';

export interface CommentRow extends AuthorRow {
  id: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * An article's comments, newest first, with their authors as the viewer sees them, in one
 * statement; undefined when there is no such article. The article is the left side of the
 * join, so an article without comments still yields one row (with a null comment id) and an
 * unknown slug yields none.
 */
export async function listComments(slug: string, viewerId: number | null): Promise<CommentRow[] | undefined> {
  const rows = await db
    .select({
      id: comments.id,
      body: comments.body,
      createdAt: comments.createdAt,
      updatedAt: comments.updatedAt,
      ...authorColumns(viewerId, comments.authorId),
    })
    .from(articles)
    .leftJoin(comments, eq(comments.articleId, articles.id))
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(eq(articles.slug, slug))
    .orderBy(desc(comments.createdAt), desc(comments.id));
  if (rows.length === 0) return undefined;
  // A row without a comment id is the article's own, standing for "no comments"; every other
  // row has an inner-joined comment and author, so none of its fields is null.
  return rows.filter((row) => row.id !== null) as CommentRow[];
}

/** The id of the article with this slug, if there is one. */
export async function findArticleId(slug: string): Promise<number | undefined> {
  const [row] = await db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));
  return row?.id;
}

/** Adds a comment and returns it with its author's profile fields, in one statement. */
export async function insertComment(articleId: number, authorId: number, body: string) {
  const inserted = db.$with('inserted').as(db.insert(comments).values({ articleId, authorId, body }).returning());
  const [row] = await db
    .with(inserted)
    .select({
      id: inserted.id,
      body: inserted.body,
      createdAt: inserted.createdAt,
      updatedAt: inserted.updatedAt,
      authorUsername: users.username,
      authorBio: users.bio,
      authorImage: users.image,
    })
    .from(inserted)
    .innerJoin(users, eq(users.id, inserted.authorId))
    .catch((error) =>
      rethrowConstraintViolation(error, {
        comments_author_id_users_id_fk: () => new UserGone(),
        comments_article_id_articles_id_fk: () => new NotFound('article'),
      }),
    );
  if (!row) throw new Error('the inserted comment has no author');
  return row;
}

/** Whether the article exists, and if the comment belongs to it, who wrote the comment. */
export async function findCommentOwnership(slug: string, commentId: number) {
  const [row] = await db
    .select({ articleId: articles.id, commentAuthorId: comments.authorId })
    .from(articles)
    .leftJoin(comments, and(eq(comments.articleId, articles.id), eq(comments.id, commentId)))
    .where(eq(articles.slug, slug));
  return row;
}

export async function deleteComment(commentId: number): Promise<void> {
  await db.delete(comments).where(eq(comments.id, commentId));
}
