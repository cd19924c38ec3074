import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TokenClaims } from '../core/auth';
import type { ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound } from '../core/errors';
import { viewer } from '../core/sql';
import { followedAmong } from '../profiles/profiles.repository';
import { users } from '../users/schema/users.schema';
import { rethrowIfSessionRetired, sessionParams, sessionUserId, type UsersRepository } from '../users/users.repository';
import { articleIdBySlug } from './article-reads.repository';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/** What a viewer sees differently in an article: which they favorited (slugs), whose authors they follow (lower-case usernames). */
export type ViewerFlags = {
  favorited: ReadonlySet<string>;
  following: ReadonlySet<string>;
};

/** Favorites, on `database`; `accounts` checks the session of each. */
export function favoritesRepository({ db, preparedOn, admit }: AppDatabase, accounts: UsersRepository) {
  /**
   * The session's user favorites the article: idempotent, and does nothing when no article has this
   * slug; 401 when the session is no longer good. (An article's favorites count is read off the
   * favorites index, so there is no counter to keep here.)
   */
  async function insertFavorite(session: TokenClaims, slug: string): Promise<void> {
    using _operation = await admit('articles.insertFavorite', 'primary');
    await db
      .insert(favorites)
      .select(
        db
          .select({
            // The session's user while the session is good, else NULL, which the column refuses.
            userId: sessionUserId(sessionParams(session)).as('user_id'),
            articleId: articles.id,
            createdAt: sql<Date>`now()`.as('created_at'),
            articleCreatedAt: articles.createdAt,
          })
          .from(articles)
          .where(eq(articles.slug, slug)),
      )
      .onConflictDoNothing()
      .catch((error) => {
        rethrowIfSessionRetired(error, 'user_id');
        return rethrowConstraintViolation(error, {
          // On an article deleted meanwhile.
          favorites_article_id_articles_id_fk: () => new NotFound('article'),
        });
      });
  }

  /** The session's user unfavorites the article: idempotent; 401 when the session is no longer good. */
  async function deleteFavorite(session: TokenClaims, slug: string): Promise<void> {
    using _operation = await admit('articles.deleteFavorite', 'primary');
    await accounts.deleteForSession(
      session,
      favorites,
      and(eq(favorites.userId, session.userId), inArray(favorites.articleId, articleIdBySlug(slug))),
    );
  }

  const flagsAmong = preparedOn((database) =>
    database
      .select({
        favorited: sql<
          string[]
        >`array(select ${articles.slug} from ${articles} join ${favorites} on ${favorites.articleId} = ${articles.id} and ${favorites.userId} = ${viewer} where ${articles.slug} = any(${sql.placeholder('slugs')}::text[]))`,
        following: followedAmong(sql.placeholder('usernames')),
      })
      .from(users)
      .where(eq(users.id, viewer))
      .prepare('viewer_flags_among'),
  );

  /**
   * Which of the articles (by slug) the viewer favorited and which of the authors (lower-case
   * usernames) they follow, in one round trip: the viewer's flags for answers the read cache shares.
   */
  async function findViewerFlags(
    viewerId: number,
    among: { slugs: string[]; usernames: string[] },
    { readFrom }: { readFrom: ReadFrom },
  ): Promise<ViewerFlags> {
    if (among.slugs.length === 0) return { favorited: new Set(), following: new Set() };
    using _operation = await admit('articles.findViewerFlags', readFrom);
    const [row] = await flagsAmong(readFrom).execute({ viewer: viewerId, ...among });
    return { favorited: new Set(row?.favorited), following: new Set(row?.following) };
  }

  return { insertFavorite, deleteFavorite, findViewerFlags };
}

export type FavoritesRepository = ReturnType<typeof favoritesRepository>;
