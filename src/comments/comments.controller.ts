import { Elysia, t } from 'elysia';
import { TOKEN_OPTIONAL, TOKEN_REQUIRED } from '../core/docs';
import { errorResponses } from '../core/models';
import { authentication } from '../users/users.auth';
import {
  ArticleCommentsParams,
  CommentParams,
  MultipleCommentsResponse,
  NewCommentBody,
  SingleCommentResponse,
} from './comments.model';
import { addComment, deleteComment, getComments } from './comments.service';

export const commentsController = new Elysia({ name: 'comments.controller', detail: { tags: ['Comments'] } })
  .use(authentication)
  .get(
    '/articles/:slug/comments',
    async ({ params, viewerId }) => ({ comments: await getComments(params.slug, viewerId) }),
    {
      optionalAuth: true,
      params: ArticleCommentsParams,
      response: { 200: MultipleCommentsResponse, ...errorResponses(404) },
      detail: { ...TOKEN_OPTIONAL, summary: "An article's comments, newest first" },
    },
  )
  .post(
    '/articles/:slug/comments',
    async ({ params, body, currentUserId, status }) =>
      status(201, { comment: await addComment(params.slug, currentUserId, body.comment.body) }),
    {
      auth: true,
      params: ArticleCommentsParams,
      body: NewCommentBody,
      response: { 201: SingleCommentResponse, ...errorResponses(401, 404, 422) },
      detail: { ...TOKEN_REQUIRED, summary: 'Comment on an article' },
    },
  )
  .delete(
    '/articles/:slug/comments/:id',
    async ({ params, currentUserId, status }) => {
      await deleteComment(params.slug, params.id, currentUserId);
      return status(204, undefined);
    },
    {
      auth: true,
      params: CommentParams,
      response: { 204: t.Undefined({ description: 'The comment is deleted' }), ...errorResponses(401, 403, 404) },
      detail: { ...TOKEN_REQUIRED, summary: 'Delete your comment' },
    },
  );
