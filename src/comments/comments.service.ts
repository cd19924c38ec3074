import { Forbidden, NotFound } from '../core/errors';
import {
  commentsJson,
  deleteComment as deleteCommentRow,
  findArticleId,
  findCommentOwnership,
  insertComment,
} from './comments.repository';

const MAX_COMMENT_ID = 2_147_483_647; // the column is a PostgreSQL integer

/** `{"comments": [...]}` as JSON text, shaped by the database for the viewer. */
export async function getComments(slug: string, viewerId: number | null): Promise<string> {
  const json = await commentsJson(slug, viewerId);
  if (json === undefined) throw new NotFound('article');
  return json;
}

/** `{"comment": ...}` as JSON text. */
export async function addComment(slug: string, authorId: number, body: string): Promise<string> {
  const articleId = await findArticleId(slug);
  if (articleId === undefined) throw new NotFound('article');
  return insertComment(articleId, authorId, body);
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
