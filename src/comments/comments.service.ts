import { Forbidden, NotFound } from '../core/errors';
import { authorProfile } from '../profiles/profiles.service';
import type { Comment } from './comments.model';
import {
  type CommentRow,
  deleteComment as deleteCommentRow,
  findArticleId,
  findCommentOwnership,
  insertComment,
  listComments,
} from './comments.repository';

const MAX_COMMENT_ID = 2_147_483_647; // the column is a PostgreSQL integer

function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    body: row.body,
    author: authorProfile(row),
  };
}

export async function getComments(slug: string, viewerId: number | null): Promise<Comment[]> {
  const rows = await listComments(slug, viewerId);
  if (!rows) throw new NotFound('article');
  return rows.map(toComment);
}

export async function addComment(slug: string, authorId: number, body: string): Promise<Comment> {
  const articleId = await findArticleId(slug);
  if (articleId === undefined) throw new NotFound('article');
  const row = await insertComment(articleId, authorId, body);
  // You cannot follow yourself, so the author of a comment you just wrote is never followed.
  return toComment({ ...row, authorFollowed: false });
}

/** The comment must exist, belong to this article, and be yours. */
export async function deleteComment(slug: string, rawCommentId: string, userId: number): Promise<void> {
  const commentId = Number(rawCommentId);
  if (!/^\d+$/.test(rawCommentId) || commentId < 1 || commentId > MAX_COMMENT_ID) throw new NotFound('comment');
  const ownership = await findCommentOwnership(slug, commentId);
  if (!ownership) throw new NotFound('article');
  if (ownership.commentAuthorId === null) throw new NotFound('comment');
  if (ownership.commentAuthorId !== userId) throw new Forbidden('comment');
  await deleteCommentRow(commentId);
}
