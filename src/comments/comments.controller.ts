import { Elysia, t } from 'elysia';
import { reply } from '../core/conditional';
import { type ApiTag, TOKEN_OPTIONAL, TOKEN_REQUIRED } from '../core/docs';
import { NotFound } from '../core/errors';
import { errorResponsesFor } from '../core/models';
import { pageOf } from '../core/paging';
import type { RouteGuards } from '../users/users.guards';
import {
  ArticleCommentsParams,
  COMMENTS_PAGE_BYTES,
  COMMENTS_PAGE_SIZE,
  CommentParams,
  CommentsQuery,
  MultipleCommentsResponse,
  NewCommentBody,
  SingleCommentResponse,
} from './comments.model';
import type { CommentsService } from './comments.service';

export const COMMENTS_TAG: ApiTag = { name: 'Comments', description: 'Comments on articles' };
const errorResponses = errorResponsesFor({
  forbidden: ['comment'],
  notFound: ['article', 'comment'],
  invalid: ['body'],
});

const MAX_COMMENT_ID = 2_147_483_647; // the column is a PostgreSQL integer

/** The comment id of the path: a number in the column's range, else no comment has it (404). */
function commentIdOf(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || id < 1 || id > MAX_COMMENT_ID) throw new NotFound('comment');
  return id;
}

export const commentsController = (comments: CommentsService, guards: RouteGuards) =>
  new Elysia({ name: 'comments.controller', detail: { tags: [COMMENTS_TAG.name] } })
    .use(guards)
    .get(
      '/articles/:slug/comments',
      async ({ params, query, viewerId, request, set }) =>
        reply({ request, set }, await comments.getComments(params.slug, pageOf(query, COMMENTS_PAGE_SIZE), viewerId)),
      {
        optionalAuth: true,
        params: ArticleCommentsParams,
        query: CommentsQuery,
        response: { 200: MultipleCommentsResponse, ...errorResponses(404, 422) },
        detail: {
          ...TOKEN_OPTIONAL,
          summary: "An article's comments, newest first",
          description:
            `A page of at most ${COMMENTS_PAGE_SIZE} comments (\`limit\`, \`offset\`: an extension of the contract), ` +
            `ending at the comment that takes it past ${COMMENTS_PAGE_BYTES / 1024 / 1024} MiB. While more follow, the ` +
            'answer has a `Link` header with `rel="next"`: the next page, relative to the request URL.',
        },
      },
    )
    .post(
      '/articles/:slug/comments',
      async ({ params, body, session, status }) =>
        status(201, { comment: await comments.addComment(params.slug, session, body.comment.body) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: ArticleCommentsParams,
        body: NewCommentBody,
        response: { 201: SingleCommentResponse, ...errorResponses(401, 404, 422) },
        detail: { ...TOKEN_REQUIRED, summary: 'Comment on an article' },
      },
    )
    .delete(
      '/articles/:slug/comments/:id',
      async ({ params, session, status }) => {
        await comments.deleteComment(params.slug, commentIdOf(params.id), session);
        return status(204, undefined);
      },
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: CommentParams,
        response: { 204: t.Undefined({ description: 'The comment is deleted' }), ...errorResponses(401, 403, 404) },
        detail: { ...TOKEN_REQUIRED, summary: 'Delete your comment' },
      },
    );
