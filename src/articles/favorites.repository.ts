import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TokenClaims } from '../core/auth';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound } from '../core/errors';
import { rethrowIfSessionRetired, sessionParams, sessionUserId, type UsersRepository } from '../users/users.repository';
import { articleIdBySlug } from './article-reads.repository';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/** Favorites, on `database`; `accounts` checks the session of each. */
export function favoritesRepository({ db, admit }: AppDatabase, accounts: UsersRepository) {
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

  return { insertFavorite, deleteFavorite };
}

export type FavoritesRepository = ReturnType<typeof favoritesRepository>;
