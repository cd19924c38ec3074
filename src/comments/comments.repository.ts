import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { articleIdBySlug } from '../articles/article-reads.repository';
import { articles } from '../articles/schema/articles.schema';
import type { TokenClaims } from '../core/auth';
import type { ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound } from '../core/errors';
import type { PageRange } from '../core/paging';
import { type ColumnsOf, viewer, viewerParam } from '../core/sql';
import { profileColumns } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { rethrowIfSessionRetired, sessionParams, sessionUserId, type UsersRepository } from '../users/users.repository';
import { comments } from './schema/comments.schema';

type CommentSource = ColumnsOf<typeof comments, 'id' | 'createdAt' | 'updatedAt' | 'body'>;

/** A comment (a row of `comments`, or of a statement that selects its columns) with its author's profile. */
function commentColumns<Comment extends CommentSource, Author>(source: Comment, author: Author) {
  const comment: Pick<Comment, keyof CommentSource> = source;
  return { id: comment.id, createdAt: comment.createdAt, updatedAt: comment.updatedAt, body: comment.body, author };
}

/** About what a comment adds to a reply, in bytes: its body and its author's bio and image as JSON text. */
const replyWeight = sql`octet_length(json_build_array(${comments.body}, ${users.bio}, ${users.image})::text)`;

export type CommentRow = Awaited<ReturnType<CommentsRepository['findCommentPage']>>['rows'][number];

/** Comments, on `database`; `accounts` checks the session of each write. */
export function commentsRepository({ db, preparedOn, admit }: AppDatabase, accounts: UsersRepository) {
  /**
   * A page of an article's comments, newest first (ties by id, so pages never overlap), that stops
   * at the comment that takes it past `maxBytes` (the first comment is always on it). LIMIT and OFFSET
   * cut a walk of the index (article, creation time, id) before any comment or author is read, so a
   * deep offset costs index entries, not rows. `more`: another comment was read after this one.
   */
  const commentPage = preparedOn((database) => {
    const page = database
      .select({ id: comments.id, createdAt: comments.createdAt })
      .from(comments)
      .where(eq(comments.articleId, articleIdBySlug(sql.placeholder('slug'))))
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .as('page');
    // The page's own order, so that the windows and the final ORDER BY need no sort.
    const newestFirst = sql`order by ${page.createdAt} desc, ${page.id} desc`;
    const { following, ...profile } = profileColumns(users, viewer);
    const weighed = database
      .select({
        ...commentColumns(
          { id: page.id, createdAt: page.createdAt, updatedAt: comments.updatedAt, body: comments.body },
          { ...profile, following: following.as('following') },
        ),
        weightBefore:
          sql<number>`coalesce(sum(${replyWeight}) over (${newestFirst} rows between unbounded preceding and 1 preceding), 0)`.as(
            'weight_before',
          ),
        more: sql<boolean>`lead(true, 1, false) over (${newestFirst})`.as('more'),
      })
      .from(page)
      .innerJoin(comments, eq(comments.id, page.id))
      .innerJoin(users, eq(users.id, comments.authorId))
      .as('weighed');
    return database
      .select({
        ...commentColumns(weighed, weighed.author),
        more: weighed.more,
      })
      .from(weighed)
      .where(lt(weighed.weightBefore, sql.placeholder('maxBytes')))
      .orderBy(desc(weighed.createdAt), desc(weighed.id))
      .prepare('comment_page');
  });

  /**
   * A page of the article's comments, authors as the viewer sees them, and whether more follow (one
   * comment past the page is read to know).
   */
  async function findCommentPage(
    slug: string,
    { limit, offset, maxBytes }: PageRange & { maxBytes: number },
    viewerId: number | null,
    { readFrom }: { readFrom: ReadFrom },
  ) {
    using _operation = await admit('comments.findCommentPage', readFrom);
    const found = await commentPage(readFrom).execute({
      slug,
      limit: limit + 1,
      offset,
      maxBytes,
      viewer: viewerParam(viewerId),
    });
    const more = found.length > limit || found.at(-1)?.more === true;
    return { rows: found.slice(0, limit).map(({ more: _, ...row }) => row), more };
  }

  /**
   * Adds a comment by the session's user and returns it with its author as they see themselves, in one
   * statement; 401 when the session is no longer good.
   */
  async function insertComment(session: TokenClaims, articleId: number, body: string) {
    using _operation = await admit('comments.insertComment', 'primary');
    const inserted = db.$with('inserted').as(
      db
        .insert(comments)
        // The author is the session's user while the session is good, else NULL, which the column refuses.
        .values({ articleId, authorId: sessionUserId(sessionParams(session)), body })
        .returning(),
    );
    const [row] = await db
      .with(inserted)
      .select(commentColumns(inserted, profileColumns(users, inserted.authorId)))
      .from(inserted)
      .innerJoin(users, eq(users.id, inserted.authorId))
      .catch((error) => {
        rethrowIfSessionRetired(error, 'author_id');
        return rethrowConstraintViolation(error, {
          comments_article_id_articles_id_fk: () => new NotFound('article'),
        });
      });
    if (!row) throw new Error('the inserted comment has no author');
    return row;
  }

  /** Whether the article exists, and if the comment belongs to it, who wrote the comment. */
  async function findCommentOwnership(slug: string, commentId: number) {
    using _operation = await admit('comments.findCommentOwnership', 'primary');
    const [row] = await db
      .select({ articleId: articles.id, commentAuthorId: comments.authorId })
      .from(articles)
      .leftJoin(comments, and(eq(comments.articleId, articles.id), eq(comments.id, commentId)))
      .where(eq(articles.slug, slug));
    return row;
  }

  /** Deletes the comment for a session; 401 when the session is no longer good. */
  async function deleteCommentById(session: TokenClaims, commentId: number): Promise<void> {
    using _operation = await admit('comments.deleteComment', 'primary');
    // Nothing deleted with the session still good: a parallel DELETE won; the comment is gone either way.
    await accounts.deleteForSession(session, comments, eq(comments.id, commentId));
  }

  return { findCommentPage, insertComment, findCommentOwnership, deleteCommentById };
}

export type CommentsRepository = ReturnType<typeof commentsRepository>;
