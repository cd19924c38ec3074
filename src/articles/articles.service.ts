import { Forbidden, NotFound } from '../core/errors';
import { authorProfile } from '../profiles/profiles.service';
import type { Article, ArticleChanges, ArticleSummary, ListArticlesQuery, NewArticle, Page } from './articles.model';
import {
  type ArticleFilters,
  type ArticleRow,
  type ArticleSummaryRow,
  deleteArticle as deleteArticleRow,
  deleteFavorite,
  findArticle,
  findArticleOwnership,
  insertArticle,
  insertFavorite,
  listArticles,
  updateArticle as updateArticleRow,
} from './articles.repository';
import { slugCandidates, slugify } from './articles.slug';

export const DEFAULT_PAGE_SIZE = 20;

function toSummary(row: ArticleSummaryRow): ArticleSummary {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    tagList: row.tagList,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    favorited: row.favorited,
    favoritesCount: row.favoritesCount,
    author: authorProfile(row),
  };
}

function toArticle(row: ArticleRow): Article {
  return { ...toSummary(row), body: row.body };
}

/**
 * Tags are trimmed, deduplicated and kept in alphabetical order: the public RealWorld test
 * collection expects ["dragons", "training"] back for an article tagged ["training", "dragons"].
 */
function normalizeTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((tag) => tag.trim()))].sort();
}

async function existingArticle(slug: string, viewerId: number | null): Promise<Article> {
  const row = await findArticle(slug, viewerId);
  if (!row) throw new NotFound('article');
  return toArticle(row);
}

/** The article's id, when it exists and the user wrote it. */
async function ownArticle(slug: string, userId: number) {
  const article = await findArticleOwnership(slug);
  if (!article) throw new NotFound('article');
  if (article.authorId !== userId) throw new Forbidden('article');
  return article;
}

function pageOf({ limit, offset }: Page) {
  return { limit: limit ? Number(limit) : DEFAULT_PAGE_SIZE, offset: offset ? Number(offset) : 0 };
}

async function articlesPage(filters: ArticleFilters, page: Page, viewerId: number | null) {
  const { rows, count } = await listArticles(filters, pageOf(page), viewerId);
  return { articles: rows.map(toSummary), articlesCount: count };
}

export function listRecentArticles(query: ListArticlesQuery, viewerId: number | null) {
  // An empty filter (`?tag=`) is no filter, as front ends send it.
  const filters: ArticleFilters = {
    tag: query.tag || undefined,
    author: query.author || undefined,
    favoritedBy: query.favorited || undefined,
  };
  return articlesPage(filters, query, viewerId);
}

export function feed(page: Page, viewerId: number) {
  return articlesPage({ followedBy: viewerId }, page, viewerId);
}

export function getArticle(slug: string, viewerId: number | null): Promise<Article> {
  return existingArticle(slug, viewerId);
}

export async function createArticle(authorId: number, input: NewArticle): Promise<Article> {
  const { title, description, body, tagList } = input;
  const slug = await insertArticle(
    authorId,
    { title, description, body },
    normalizeTags(tagList),
    slugCandidates(title),
  );
  return existingArticle(slug, authorId);
}

export async function updateArticle(slug: string, userId: number, changes: ArticleChanges): Promise<Article> {
  const article = await ownArticle(slug, userId);
  const { tagList, ...content } = changes;
  // A new title moves the article to a new slug, unless the title slugifies to the one it has.
  const newSlugs =
    content.title !== undefined && content.title !== article.title && slugify(content.title) !== slug
      ? slugCandidates(content.title)
      : undefined;
  const tags = tagList === undefined ? undefined : normalizeTags(tagList);
  const newSlug = await updateArticleRow(article.id, content, tags, newSlugs);
  return existingArticle(newSlug, userId);
}

export async function deleteArticle(slug: string, userId: number): Promise<void> {
  const article = await ownArticle(slug, userId);
  await deleteArticleRow(article.id);
}

export async function favorite(slug: string, userId: number): Promise<Article> {
  await insertFavorite(userId, slug);
  return existingArticle(slug, userId);
}

export async function unfavorite(slug: string, userId: number): Promise<Article> {
  await deleteFavorite(userId, slug);
  return existingArticle(slug, userId);
}
