import { Forbidden, NotFound } from '../core/errors';
import type { Comment } from './comments.model';
import {
  type CommentRow,
  deleteCommentById,
  findArticleId,
  findCommentOwnership,
  findComments,
  insertComment,
} from './comments.repository';

const MAX_COMMENT_ID = 2_147_483_647; // the column is a PostgreSQL integer

/** The one comment shape: times go out as ISO-8601 UTC with milliseconds. */
function toComment({ createdAt, updatedAt, ...rest }: CommentRow): Comment {
  return { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/** Newest first. No comments may mean no article: only then is the article looked up. */
export async function getComments(slug: string, viewerId: number | null): Promise<Comment[]> {
  const rows = await findComments(slug, viewerId);
  if (rows.length === 0 && (await findArticleId(slug, { readFrom: 'replicas' })) === undefined) {
    throw new NotFound('article');
  }
  return rows.map(toComment);
}

export async function addComment(slug: string, authorId: number, body: string): Promise<Comment> {
  // From the primary, like every read that decides a write.
  const articleId = await findArticleId(slug, { readFrom: 'primary' });
  if (articleId === undefined) throw new NotFound('article');
  return toComment(await insertComment(articleId, authorId, body));
}

/** The comment must exist, belong to this article, and be yours. */
export async function deleteComment(slug: string, rawCommentId: string, userId: number): Promise<void> {
  const commentId = Number(rawCommentId);
  if (!/^\d+$/.test(rawCommentId) || commentId < 1 || commentId > MAX_COMMENT_ID) throw new NotFound('comment');
  const ownership = await findCommentOwnership(slug, commentId);
  if (!ownership) throw new NotFound('article');
  if (ownership.commentAuthorId === null) throw new NotFound('comment');
  if (ownership.commentAuthorId !== userId) throw new Forbidden('comment');
  await deleteCommentById(commentId);
}
