import type { ArticleReadsRepository } from '../articles/article-reads.repository';
import type { TokenClaims } from '../core/auth';
import { Forbidden, NotFound } from '../core/errors';
import { nextPage, type PageRange } from '../core/paging';
import { COMMENTS_PAGE_BYTES, type Comment } from './comments.model';
import type { CommentRow, CommentsRepository } from './comments.repository';

/** The one comment shape: times go out as ISO-8601 UTC with milliseconds. */
function toComment({ createdAt, updatedAt, ...rest }: CommentRow): Comment {
  return { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

export interface CommentPage {
  comments: Comment[];
  /** Where the next page starts, when more comments follow. */
  next: PageRange | undefined;
}

/** The comment rules, over `comments`; `articles` finds the article a request names. */
export function commentsService(
  comments: CommentsRepository,
  articles: Pick<ArticleReadsRepository, 'findArticleRef'>,
) {
  /**
   * A page of comments, newest first: at most `limit`, fewer when
   * they weigh more than COMMENTS_PAGE_BYTES. An empty page may mean no article: only then is the
   * article looked up, so the usual read is one statement.
   */
  async function getComments(slug: string, page: PageRange, viewerId: number | null): Promise<CommentPage> {
    const { rows, more } = await comments.findCommentPage(slug, { ...page, maxBytes: COMMENTS_PAGE_BYTES }, viewerId);
    if (rows.length === 0 && (await articles.findArticleRef(slug, { readFrom: 'replicas' })) === undefined) {
      throw new NotFound('article');
    }
    return { comments: rows.map(toComment), next: more ? nextPage(page, rows.length) : undefined };
  }

  async function addComment(slug: string, session: TokenClaims, body: string): Promise<Comment> {
    // From the primary, like every read that decides a write.
    const article = await articles.findArticleRef(slug, { readFrom: 'primary' });
    if (article === undefined) throw new NotFound('article');
    return toComment(await comments.insertComment(session, article.id, body));
  }

  /** The comment must exist, belong to this article, and be yours. */
  async function deleteComment(slug: string, commentId: number, session: TokenClaims): Promise<void> {
    const ownership = await comments.findCommentOwnership(slug, commentId);
    if (!ownership) throw new NotFound('article');
    if (ownership.commentAuthorId === null) throw new NotFound('comment');
    if (ownership.commentAuthorId !== session.userId) throw new Forbidden('comment');
    await comments.deleteCommentById(session, commentId);
  }

  return { getComments, addComment, deleteComment };
}

export type CommentsService = ReturnType<typeof commentsService>;
