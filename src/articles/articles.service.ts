import { Forbidden, NotFound } from '../core/errors';
import type { ArticleChanges, ListArticlesQuery, NewArticle, Page } from './articles.model';
import {
  type ArticleFilters,
  articleJsonBySlug,
  articlesPageJson,
  deleteArticle as deleteArticleRow,
  deleteFavorite,
  findArticleOwnership,
  insertArticle,
  insertFavorite,
  updateArticle as updateArticleRow,
} from './articles.repository';
import { slugCandidates, slugify } from './articles.slug';

/*
 * Reads come back from the repository as finished JSON text (`{"article": ...}` or
 * `{"articles": [...], "articlesCount": n}`), shaped by the database for the viewer; this layer
 * decides what to read and who may write, and passes that text on.
 */

const DEFAULT_PAGE_SIZE = 20;

/** One spelling per tag: trimmed, and composed (NFC), so that "é" typed either way is one tag. */
function normalizeTag(tag: string): string {
  return tag.normalize('NFC').trim();
}

/**
 * Tags are normalized, deduplicated and kept in alphabetical order: the official RealWorld suite
 * expects ["dragons", "training"] back for an article tagged ["training", "dragons"].
 */
function normalizeTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map(normalizeTag))].sort();
}

/** `{"article": ...}` as JSON text; `fresh` after this request's own write (see articleJsonBySlug). */
async function existingArticle(slug: string, viewerId: number | null, fresh = false): Promise<string> {
  const json = await articleJsonBySlug(slug, viewerId, { fresh });
  if (json === undefined) throw new NotFound('article');
  return json;
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

function articlesPage(filters: ArticleFilters, page: Page, viewerId: number | null): Promise<string> {
  return articlesPageJson(filters, pageOf(page), viewerId);
}

export function listRecentArticles(query: ListArticlesQuery, viewerId: number | null) {
  // An empty filter (`?tag=`) is no filter, as front ends send it.
  const filters: ArticleFilters = {
    tag: query.tag ? normalizeTag(query.tag) : undefined,
    author: query.author || undefined,
    favoritedBy: query.favorited || undefined,
  };
  return articlesPage(filters, query, viewerId);
}

export function feed(page: Page, viewerId: number) {
  return articlesPage({ followedBy: viewerId }, page, viewerId);
}

export function getArticle(slug: string, viewerId: number | null): Promise<string> {
  return existingArticle(slug, viewerId);
}

export async function createArticle(authorId: number, input: NewArticle): Promise<string> {
  const { title, description, body, tagList } = input;
  const slug = await insertArticle(
    authorId,
    { title, description, body },
    normalizeTags(tagList),
    slugCandidates(title),
  );
  return existingArticle(slug, authorId, true);
}

export async function updateArticle(slug: string, userId: number, changes: ArticleChanges): Promise<string> {
  const article = await ownArticle(slug, userId);
  const { tagList, ...content } = changes;
  // A new title moves the article to a new slug, unless the title slugifies to the one it has.
  const newSlugs =
    content.title !== undefined && content.title !== article.title && slugify(content.title) !== slug
      ? slugCandidates(content.title)
      : undefined;
  const tags = tagList === undefined ? undefined : normalizeTags(tagList);
  const newSlug = await updateArticleRow(article.id, content, tags, newSlugs);
  return existingArticle(newSlug, userId, true);
}

export async function deleteArticle(slug: string, userId: number): Promise<void> {
  const article = await ownArticle(slug, userId);
  await deleteArticleRow(article.id);
}

export async function favorite(slug: string, userId: number): Promise<string> {
  await insertFavorite(userId, slug);
  return existingArticle(slug, userId, true);
}

export async function unfavorite(slug: string, userId: number): Promise<string> {
  await deleteFavorite(userId, slug);
  return existingArticle(slug, userId, true);
}
