import { t } from 'elysia';
import { RequiredText, ResponseInteger } from '../core/models';
import { pagingQuery } from '../core/paging';
import { Text } from '../core/text';
import { Profile } from '../profiles/profiles.model';

/** The name this feature's 403 and 404 bodies use (`{"article": ["not found"]}`). */
declare module '../core/errors' {
  interface Resources {
    article: true;
  }
}

/** Limits are documented in docs/api.md ("Input limits"); keep the two in step. */
const Title = RequiredText({ maxLength: 255, examples: ['How to train your dragon'] });
const Description = RequiredText({ maxLength: 1000, examples: ['Ever wonder how?'] });
const Body = RequiredText({ maxLength: 100_000, examples: ['You have to believe'] });
/** Leaving it out of an update keeps the tags, `[]` removes them all, `null` is refused. */
const TagList = t.Array(RequiredText({ maxLength: 64 }), {
  maxItems: 20,
  examples: [['dragons', 'training']],
});

export const NewArticleBody = t.Object({
  article: t.Object({ title: Title, description: Description, body: Body, tagList: t.Optional(TagList) }),
});

export const UpdateArticleBody = t.Object({
  article: t.Object({
    title: t.Optional(Title),
    description: t.Optional(Description),
    body: t.Optional(Body),
    tagList: t.Optional(TagList),
  }),
});

const summaryFields = {
  slug: t.String(),
  title: t.String(),
  description: t.String(),
  tagList: t.Array(t.String()),
  createdAt: t.String({ format: 'date-time' }),
  updatedAt: t.String({ format: 'date-time' }),
  favorited: t.Boolean(),
  favoritesCount: ResponseInteger(),
  author: Profile,
};

export const Article = t.Object({ ...summaryFields, body: t.String() });
/** Lists leave the body out. */
export const ArticleSummary = t.Object(summaryFields);

export const SingleArticleResponse = t.Object({ article: Article });
export const MultipleArticlesResponse = t.Object({
  articles: t.Array(ArticleSummary),
  articlesCount: ResponseInteger(),
});

export const SlugParams = t.Object({ slug: t.String() });

/** A list's page when the client names no `limit`, as RealWorld front ends expect. */
export const ARTICLES_PAGE_SIZE = 20;
const paging = pagingQuery({ items: 'Articles', defaultLimit: ARTICLES_PAGE_SIZE });
export const ListArticlesQuery = t.Object({
  // Counted as tags and usernames are (./text): a tag that could be stored can be asked for.
  tag: t.Optional(Text({ maxLength: 64 })),
  author: t.Optional(Text({ maxLength: 64 })),
  favorited: t.Optional(Text({ maxLength: 64 })),
  ...paging,
});
export const FeedQuery = t.Object(paging);

export type NewArticle = (typeof NewArticleBody.static)['article'];
export type ArticleChanges = (typeof UpdateArticleBody.static)['article'];
export type ListArticlesQuery = typeof ListArticlesQuery.static;
export type Page = typeof FeedQuery.static;
export type Article = typeof Article.static;
export type MultipleArticles = typeof MultipleArticlesResponse.static;
export type SingleArticle = typeof SingleArticleResponse.static;
