import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TokenClaims } from '../core/auth';
import { db } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound } from '../core/errors';
import { admitDbOperation } from '../core/metrics';
import { deleteForSession, rethrowIfSessionRetired, sessionParams, sessionUserId } from '../users/users.repository';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/**
 * The session's user favorites the article: idempotent, and does nothing when no article has this
 * slug; 401 when the session is no longer good. (An article's favorites count is read off the
 * favorites index, so there is no counter to keep here.)
 */
export async function insertFavorite(session: TokenClaims, slug: string): Promise<void> {
  using _operation = await admitDbOperation('articles.insertFavorite', 'primary');
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
export async function deleteFavorite(session: TokenClaims, slug: string): Promise<void> {
  using _operation = await admitDbOperation('articles.deleteFavorite', 'primary');
  await deleteForSession(
    session,
    favorites,
    and(
      eq(favorites.userId, session.userId),
      inArray(favorites.articleId, db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))),
    ),
  );
}
