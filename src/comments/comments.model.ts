import { t } from 'elysia';
import { RequiredText, ResponseInteger } from '../core/models';
import { Profile } from '../profiles/profiles.model';

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
/** The id stays a string here so that a non-numeric id is a 404 (no such comment), not a 422. */
export const CommentParams = t.Object({ slug: t.String(), id: t.String() });

export type Comment = typeof Comment.static;
