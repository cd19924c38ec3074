import { Elysia, t } from 'elysia';
import { freshAnswer, reply } from '../core/conditional';
import { type ApiTag, TOKEN_OPTIONAL, TOKEN_REQUIRED } from '../core/docs';
import { errorResponsesFor } from '../core/models';
import { pageOf } from '../core/paging';
import type { RouteGuards } from '../users/users.guards';
import {
  ARTICLES_PAGE_SIZE,
  FeedQuery,
  ListArticlesQuery,
  MultipleArticlesResponse,
  NewArticleBody,
  SingleArticleResponse,
  SlugParams,
  UpdateArticleBody,
} from './articles.model';
import type { ArticlesService } from './articles.service';

export const ARTICLES_TAG: ApiTag = { name: 'Articles', description: 'Articles, the global list and the feed' };
export const FAVORITES_TAG: ApiTag = { name: 'Favorites', description: 'Favoriting articles' };
const errorResponses = errorResponsesFor({ forbidden: ['article'], notFound: ['article'], invalid: ['title'] });

export const articlesController = (articles: ArticlesService, guards: RouteGuards) =>
  new Elysia({ name: 'articles.controller', detail: { tags: [ARTICLES_TAG.name] } })
    .use(guards)
    .get(
      '/articles',
      async ({ query: { tag, author, favorited, ...paging }, viewerId, request, set }) =>
        reply(
          { request, set },
          await articles.listRecentArticles(
            { tag, author, favoritedBy: favorited },
            pageOf(paging, ARTICLES_PAGE_SIZE),
            viewerId,
          ),
        ),
      {
        optionalAuth: true,
        query: ListArticlesQuery,
        response: { 200: MultipleArticlesResponse, ...errorResponses(422) },
        detail: { ...TOKEN_OPTIONAL, summary: 'List recent articles, optionally filtered by tag, author or favoriter' },
      },
    )
    .get(
      '/articles/feed',
      async ({ query, currentUserId, request, set }) =>
        reply({ request, set }, freshAnswer(await articles.feed(pageOf(query, ARTICLES_PAGE_SIZE), currentUserId))),
      {
        auth: true,
        query: FeedQuery,
        response: { 200: MultipleArticlesResponse, ...errorResponses(401, 422) },
        detail: { ...TOKEN_REQUIRED, summary: 'Recent articles by the authors you follow' },
      },
    )
    .post(
      '/articles',
      async ({ body, session, status }) =>
        status(201, { article: await articles.createArticle(session, body.article) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        body: NewArticleBody,
        response: { 201: SingleArticleResponse, ...errorResponses(401, 422) },
        detail: { ...TOKEN_REQUIRED, summary: 'Create an article' },
      },
    )
    .get(
      '/articles/:slug',
      async ({ params, viewerId, request, set }) =>
        reply({ request, set }, await articles.getArticle(params.slug, viewerId)),
      {
        optionalAuth: true,
        params: SlugParams,
        response: { 200: SingleArticleResponse, ...errorResponses(404) },
        detail: { ...TOKEN_OPTIONAL, summary: 'Get an article' },
      },
    )
    .put(
      '/articles/:slug',
      async ({ params, body, session }) => ({
        article: await articles.updateArticle(params.slug, session, body.article),
      }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: SlugParams,
        body: UpdateArticleBody,
        response: { 200: SingleArticleResponse, ...errorResponses(401, 403, 404, 422) },
        detail: { ...TOKEN_REQUIRED, summary: 'Update your article' },
      },
    )
    .delete(
      '/articles/:slug',
      async ({ params, session, status }) => {
        await articles.deleteArticle(params.slug, session);
        return status(204, undefined);
      },
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: SlugParams,
        response: {
          204: t.Undefined({ description: 'The article and everything attached to it are deleted' }),
          ...errorResponses(401, 403, 404),
        },
        detail: { ...TOKEN_REQUIRED, summary: 'Delete your article' },
      },
    )
    .post(
      '/articles/:slug/favorite',
      async ({ params, session }) => ({ article: await articles.favorite(params.slug, session) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: SlugParams,
        response: { 200: SingleArticleResponse, ...errorResponses(401, 404) },
        detail: { ...TOKEN_REQUIRED, summary: 'Favorite an article', tags: [FAVORITES_TAG.name] },
      },
    )
    .delete(
      '/articles/:slug/favorite',
      async ({ params, session }) => ({ article: await articles.unfavorite(params.slug, session) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: SlugParams,
        response: { 200: SingleArticleResponse, ...errorResponses(401, 404) },
        detail: { ...TOKEN_REQUIRED, summary: 'Unfavorite an article', tags: [FAVORITES_TAG.name] },
      },
    );
