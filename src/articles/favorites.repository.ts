import { and, eq, inArray, sql } from 'drizzle-orm';
import { db } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { admitDbOperation } from '../core/metrics';
import { articles } from './schema/articles.schema';
import { favorites } from './schema/favorites.schema';

/**
 * Idempotent; does nothing when no article has this slug. (An article's favorites count is read off
 * the favorites index, so there is no counter to keep here.)
 */
export async function insertFavorite(userId: number, slug: string): Promise<void> {
  using _operation = await admitDbOperation('articles.insertFavorite');
  await db
    .insert(favorites)
    .select(
      db
        .select({
          userId: sql<number>`${userId}::int`.as('user_id'),
          articleId: articles.id,
          createdAt: sql<Date>`now()`.as('created_at'),
          articleCreatedAt: articles.createdAt,
        })
        .from(articles)
        .where(eq(articles.slug, slug)),
    )
    .onConflictDoNothing()
    .catch((error) =>
      rethrowConstraintViolation(error, {
        // By a user deleted after their token was issued, or on an article deleted meanwhile.
        favorites_user_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
        favorites_article_id_articles_id_fk: () => new NotFound('article'),
      }),
    );
}

export async function deleteFavorite(userId: number, slug: string): Promise<void> {
  using _operation = await admitDbOperation('articles.deleteFavorite');
  await db
    .delete(favorites)
    .where(
      and(
        eq(favorites.userId, userId),
        inArray(favorites.articleId, db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))),
      ),
    );
}
