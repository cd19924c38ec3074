import { Elysia } from 'elysia';
import { authentication } from '../core/auth';
import { TOKEN_OPTIONAL, TOKEN_REQUIRED } from '../core/docs';
import { jsonText } from '../core/http';
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
  .get('/articles/:slug/comments', async ({ params, viewerId }) => jsonText(await getComments(params.slug, viewerId)), {
    optionalAuth: true,
    params: ArticleCommentsParams,
    response: MultipleCommentsResponse,
    detail: { ...TOKEN_OPTIONAL, summary: "An article's comments, newest first" },
  })
  .post(
    '/articles/:slug/comments',
    async ({ params, body, currentUserId }) =>
      jsonText(await addComment(params.slug, currentUserId, body.comment.body)),
    {
      auth: true,
      params: ArticleCommentsParams,
      body: NewCommentBody,
      response: SingleCommentResponse,
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
      detail: {
        ...TOKEN_REQUIRED,
        summary: 'Delete your comment',
        responses: { 204: { description: 'The comment is deleted' } },
      },
    },
  );
