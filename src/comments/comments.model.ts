import { t } from 'elysia';
import { RequiredText, ResponseInteger } from '../core/models';
import { MAX_PAGE_SIZE, pagingQuery } from '../core/paging';
import { Profile } from '../profiles/profiles.model';

/** The name this feature's 403 and 404 bodies use (`{"comment": ["not found"]}`). */
declare module '../core/errors' {
  interface Resources {
    comment: true;
  }
}

/** Limits are documented in docs/api.md ("Input limits"); keep the two in step. */
export const NewCommentBody = t.Object({
  comment: t.Object({ body: RequiredText({ maxLength: 10_000, examples: ['Thank you so much!'] }) }),
});

export const Comment = t.Object({
  id: ResponseInteger(),
  createdAt: t.String({ format: 'date-time' }),
  updatedAt: t.String({ format: 'date-time' }),
  body: t.String(),
  author: Profile,
});

export const SingleCommentResponse = t.Object({ comment: Comment });
export const MultipleCommentsResponse = t.Object({ comments: t.Array(Comment) });

export const ArticleCommentsParams = t.Object({ slug: t.String() });

/**
 * Front ends send no paging and show what they get, so by default a page is as large as any page
 * may be. What one reply weighs is bounded apart: a page stops at the comment that takes its bodies,
 * bios and images, as JSON, past COMMENTS_PAGE_BYTES, as large as the largest request body. See
 * docs/api.md, "Comments paging".
 */
export const COMMENTS_PAGE_SIZE = MAX_PAGE_SIZE;
export const COMMENTS_PAGE_BYTES = 1024 * 1024;
export const CommentsQuery = t.Object(pagingQuery({ items: 'Comments', defaultLimit: COMMENTS_PAGE_SIZE }));
export type CommentsQuery = typeof CommentsQuery.static;

/** The id stays a string here so that a non-numeric id is a 404 (no such comment), not a 422. */
export const CommentParams = t.Object({ slug: t.String(), id: t.String() });

export type Comment = typeof Comment.static;
export type MultipleComments = typeof MultipleCommentsResponse.static;
