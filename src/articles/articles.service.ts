import type { TokenClaims } from '../core/auth';
import { type Answer, ownAnswer } from '../core/conditional';
import type { ReadFrom } from '../core/connection';
import { Forbidden, NotFound } from '../core/errors';
import type { PageRange } from '../core/paging';
import type { ReadCache, Shared } from '../core/read-cache';
import type { ArticleFilters, ArticleListRepository } from './article-list.repository';
import type { ArticleReadsRepository, ArticleRow } from './article-reads.repository';
import type { ArticleWritesRepository } from './article-writes.repository';
import type { Article, ArticleChanges, MultipleArticles, NewArticle, SingleArticle } from './articles.model';
import { slugCandidates, slugify } from './articles.slug';
import type { FavoritesRepository, ViewerFlags } from './favorites.repository';

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

/**
 * The one article shape, from a row of the reads (a list's rows carry no body, and `articlesCount`
 * besides). Times go out as ISO-8601 UTC with milliseconds.
 */
function toArticle<Row extends Omit<ArticleRow, 'body'>>({ createdAt, updatedAt, ...rest }: Row) {
  return { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/** An article (or a list's) as a viewer with these flags sees it. */
function withFlags<Shown extends Omit<Article, 'body'>>(article: Shown, flags: ViewerFlags): Shown {
  const author = { ...article.author, following: flags.following.has(article.author.username.toLowerCase()) };
  return { ...article, favorited: flags.favorited.has(article.slug), author };
}

/**
 * The article rules, over the articles' repositories. Reads answer from `cache` what every viewer
 * shares (as an anonymous visitor sees it); a signed-in viewer's flags are looked up for its rows.
 */
export function articlesService(
  repositories: {
    lists: ArticleListRepository;
    reads: ArticleReadsRepository;
    writes: ArticleWritesRepository;
    favorites: FavoritesRepository;
  },
  cache: ReadCache,
) {
  const { lists, reads, writes, favorites } = repositories;

  /**
   * Articles were written (or may have been: this runs whatever the write's outcome, since one whose
   * answer was lost may still have committed): lists, the tag list and these articles are dropped
   * here and elsewhere before the write's answer leaves.
   */
  function articlesChanged(...slugs: (string | undefined)[]): void {
    cache.changed({ kind: 'articles', keys: slugs.filter((slug) => slug !== undefined) });
  }

  /** The shared answer, as the viewer sees it: their flags for its articles, looked up in one round trip. */
  async function forViewer<Value>(
    shared: Shared<Value>,
    viewerId: number | null,
    shown: (value: Value) => Omit<Article, 'body'>[],
    apply: (value: Value, flags: ViewerFlags) => Value,
  ): Promise<Answer<Value>> {
    if (viewerId === null) return { shared };
    const articles = shown(shared.value);
    const among = {
      slugs: articles.map((article) => article.slug),
      usernames: [...new Set(articles.map((article) => article.author.username.toLowerCase()))],
    };
    return ownAnswer(shared, await favorites.findViewerFlags(viewerId, among, { readFrom: 'replicas' }), apply);
  }

  /** From the replicas for a plain read; after this request's own write, the primary must answer. */
  async function existingArticle(slug: string, viewerId: number | null, readFrom: ReadFrom): Promise<Article> {
    const row = await reads.findArticle(slug, viewerId, { readFrom });
    if (row === undefined) throw new NotFound('article');
    return toArticle(row);
  }

  /** The article's id, when it exists and the user wrote it. */
  async function ownArticle(slug: string, userId: number) {
    const article = await reads.findArticleRef(slug, { readFrom: 'primary' });
    if (!article) throw new NotFound('article');
    if (article.authorId !== userId) throw new Forbidden('article');
    return article;
  }

  async function articlesPage(
    filters: ArticleFilters,
    page: PageRange,
    viewerId: number | null,
    readFrom: ReadFrom,
  ): Promise<MultipleArticles> {
    const { rows, articlesCount } = await lists.findArticlePage(filters, page, viewerId, { readFrom });
    return { articles: rows.map(({ articlesCount: _, ...row }) => toArticle(row)), articlesCount };
  }

  /** The most recent articles, of a tag, an author or a favoriter when named. */
  async function listRecentArticles(
    named: { tag?: string; author?: string; favoritedBy?: string },
    page: PageRange,
    viewerId: number | null,
  ): Promise<Answer<MultipleArticles>> {
    // An empty filter (`?tag=`) is no filter, as front ends send it.
    const filters: ArticleFilters = {
      tag: named.tag ? normalizeTag(named.tag) : undefined,
      author: named.author?.toLowerCase() || undefined,
      favoritedBy: named.favoritedBy?.toLowerCase() || undefined,
    };
    const key = `articles ${JSON.stringify([filters.tag, filters.author, filters.favoritedBy, page.limit, page.offset])}`;
    const shared = await cache.remember(key, ['lists'], async (readFrom) => ({
      body: await articlesPage(filters, page, null, readFrom),
    }));
    return forViewer(
      shared,
      viewerId,
      (value) => value.articles,
      (value, flags) => ({ ...value, articles: value.articles.map((article) => withFlags(article, flags)) }),
    );
  }

  /** The viewer's own list: not kept (see docs/performance.md). */
  function feed(page: PageRange, viewerId: number) {
    return articlesPage({ followedBy: viewerId }, page, viewerId, 'replicas');
  }

  async function getArticle(slug: string, viewerId: number | null): Promise<Answer<SingleArticle>> {
    const shared = await cache.remember(`article ${slug}`, [`article:${slug}`], async (readFrom) => ({
      body: { article: await existingArticle(slug, null, readFrom) },
    }));
    return forViewer(
      shared,
      viewerId,
      (value) => [value.article],
      (value, flags) => ({ article: withFlags(value.article, flags) }),
    );
  }

  async function createArticle(session: TokenClaims, input: NewArticle): Promise<Article> {
    const { title, description, body, tagList } = input;
    // The statement that writes it answers with it, as its author sees it: no second read.
    let slug: string | undefined;
    try {
      const row = await writes.insertArticle(
        session,
        { title, description, body },
        normalizeTags(tagList),
        slugCandidates(title),
      );
      slug = row.slug;
      return toArticle(row);
    } finally {
      articlesChanged(slug);
    }
  }

  async function updateArticle(slug: string, session: TokenClaims, changes: ArticleChanges): Promise<Article> {
    const article = await ownArticle(slug, session.userId);
    const { tagList, ...content } = changes;
    // A new title moves the article to a new slug, unless the title slugifies to the one it has.
    const newSlugs =
      content.title !== undefined && content.title !== article.title && slugify(content.title) !== slug
        ? slugCandidates(content.title)
        : undefined;
    const tags = tagList === undefined ? undefined : normalizeTags(tagList);
    let newSlug: string | undefined;
    try {
      newSlug = await writes.updateArticleById(session, article.id, {
        changes: content,
        tagList: tags,
        slugs: newSlugs,
      });
    } finally {
      articlesChanged(slug, newSlug);
    }
    return existingArticle(newSlug, session.userId, 'primary');
  }

  async function deleteArticle(slug: string, session: TokenClaims): Promise<void> {
    const article = await ownArticle(slug, session.userId);
    try {
      await writes.deleteArticleById(session, article.id);
    } finally {
      articlesChanged(slug);
    }
  }

  async function favorite(slug: string, session: TokenClaims): Promise<Article> {
    try {
      await favorites.insertFavorite(session, slug);
    } finally {
      articlesChanged(slug);
    }
    return existingArticle(slug, session.userId, 'primary');
  }

  async function unfavorite(slug: string, session: TokenClaims): Promise<Article> {
    try {
      await favorites.deleteFavorite(session, slug);
    } finally {
      articlesChanged(slug);
    }
    return existingArticle(slug, session.userId, 'primary');
  }

  return { listRecentArticles, feed, getArticle, createArticle, updateArticle, deleteArticle, favorite, unfavorite };
}

export type ArticlesService = ReturnType<typeof articlesService>;
