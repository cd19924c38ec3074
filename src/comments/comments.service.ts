import type { ArticleReadsRepository } from '../articles/article-reads.repository';
import type { TokenClaims } from '../core/auth';
import { type Answer, ownAnswer } from '../core/conditional';
import { Forbidden, NotFound } from '../core/errors';
import { nextPage, type PageRange } from '../core/paging';
import type { ReadCache } from '../core/read-cache';
import type { ProfilesRepository } from '../profiles/profiles.repository';
import { COMMENTS_PAGE_BYTES, type Comment, type MultipleComments } from './comments.model';
import type { CommentRow, CommentsRepository } from './comments.repository';

/** The one comment shape: times go out as ISO-8601 UTC with milliseconds. */
function toComment({ createdAt, updatedAt, ...rest }: CommentRow): Comment {
  return { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/**
 * The next page, as an RFC 8288 link relative to the request URL (only its query differs), so that
 * it stays right behind a proxy that mounts the API under another path.
 */
function nextLink({ limit, offset }: PageRange): string {
  return `<?limit=${limit}&offset=${offset}>; rel="next"`;
}

/**
 * The comment rules, over `comments`; `articles` finds the article a request names, `profiles` a
 * signed-in viewer's follows. Pages are answered from `cache`, as the anonymous visitor sees them.
 */
export function commentsService(
  comments: CommentsRepository,
  articles: Pick<ArticleReadsRepository, 'findArticleRef'>,
  profiles: Pick<ProfilesRepository, 'findFollowed'>,
  cache: ReadCache,
) {
  /**
   * A page of comments, newest first: at most `limit`, fewer when they weigh more than
   * COMMENTS_PAGE_BYTES; while more follow, a `Link` to the next page. An empty page may mean no
   * article: only then is the article looked up, so the usual read is one statement.
   */
  async function getComments(
    slug: string,
    page: PageRange,
    viewerId: number | null,
  ): Promise<Answer<MultipleComments>> {
    const key = `comments ${slug} ${page.limit} ${page.offset}`;
    const shared = await cache.remember(key, [`comments:${slug}`, `article:${slug}`], async (readFrom) => {
      const { rows, more } = await comments.findCommentPage(slug, { ...page, maxBytes: COMMENTS_PAGE_BYTES }, null, {
        readFrom,
      });
      if (rows.length === 0 && (await articles.findArticleRef(slug, { readFrom })) === undefined) {
        throw new NotFound('article');
      }
      const next = more ? nextPage(page, rows.length) : undefined;
      const headers: Record<string, string> = next ? { link: nextLink(next) } : {};
      return { body: { comments: rows.map(toComment) }, headers };
    });
    if (viewerId === null) return { shared };
    const authors = [...new Set(shared.value.comments.map((comment) => comment.author.username.toLowerCase()))];
    const following = new Set(await profiles.findFollowed(viewerId, authors, { readFrom: 'replicas' }));
    return ownAnswer(shared, { following }, (value, flags) => ({
      comments: value.comments.map((comment) => ({
        ...comment,
        author: { ...comment.author, following: flags.following.has(comment.author.username.toLowerCase()) },
      })),
    }));
  }

  async function addComment(slug: string, session: TokenClaims, body: string): Promise<Comment> {
    // From the primary, like every read that decides a write.
    const article = await articles.findArticleRef(slug, { readFrom: 'primary' });
    if (article === undefined) throw new NotFound('article');
    try {
      return toComment(await comments.insertComment(session, article.id, body));
    } finally {
      cache.changed({ kind: 'comments', keys: [slug] });
    }
  }

  /** The comment must exist, belong to this article, and be yours. */
  async function deleteComment(slug: string, commentId: number, session: TokenClaims): Promise<void> {
    const ownership = await comments.findCommentOwnership(slug, commentId);
    if (!ownership) throw new NotFound('article');
    if (ownership.commentAuthorId === null) throw new NotFound('comment');
    if (ownership.commentAuthorId !== session.userId) throw new Forbidden('comment');
    try {
      await comments.deleteCommentById(session, commentId);
    } finally {
      cache.changed({ kind: 'comments', keys: [slug] });
    }
  }

  return { getComments, addComment, deleteComment };
}

export type CommentsService = ReturnType<typeof commentsService>;
