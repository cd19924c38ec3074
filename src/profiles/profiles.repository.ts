import { and, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { db, primaryDb } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { dbOperation } from '../core/metrics';
import { users } from '../users/schema/users.schema';
import { follows } from './schema/follows.schema';

/**
 * An article's or comment's author as the viewer sees them, as a JSON object built in SQL, for
 * queries that join `users` on the author. `viewer` is the viewer's id (0 for anonymous).
 */
export function authorJson(viewer: SQLWrapper, authorId: SQLWrapper): SQL {
  return sql`json_build_object(
    'username', ${users.username},
    'bio', ${users.bio},
    'image', ${users.image},
    'following', exists (select 1 from ${follows} where ${follows.followerId} = ${viewer} and ${follows.followedId} = ${authorId})
  )`;
}

/** The profile as the viewer sees it (viewer 0: anonymous), with the user's id for the service's rules. */
const profileStatement = (on: typeof db, name: string) =>
  on
    .select({
      id: users.id,
      username: users.username,
      bio: users.bio,
      image: users.image,
      following: sql<boolean>`exists (select 1 from ${follows} where ${follows.followerId} = ${sql.placeholder('viewer')} and ${follows.followedId} = ${users.id})`,
    })
    .from(users)
    // Any letter case: usernames are unique regardless of it (the lower(username) unique index).
    .where(sql`lower(${users.username}) = lower(${sql.placeholder('username')})`)
    .prepare(name);
const profileFromReplica = profileStatement(db, 'profile_by_username');
const profileFromPrimary = profileStatement(primaryDb, 'profile_by_username_fresh');

/** `fresh` reads the primary, for follows: the user followed may have registered a moment ago. */
export async function findProfile(username: string, viewerId: number | null, { fresh = false } = {}) {
  using _operation = dbOperation('profiles.findProfile');
  const statement = fresh ? profileFromPrimary : profileFromReplica;
  const [row] = await statement.execute({ username, viewer: viewerId ?? 0 });
  return row;
}

export type ProfileRow = NonNullable<Awaited<ReturnType<typeof findProfile>>>;

/** Idempotent: following someone twice leaves one row. */
export async function insertFollow(followerId: number, followedId: number): Promise<void> {
  using _operation = dbOperation('profiles.insertFollow');
  await db
    .insert(follows)
    .values({ followerId, followedId })
    .onConflictDoNothing()
    .catch((error) =>
      rethrowConstraintViolation(error, {
        follows_follower_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
        follows_followed_id_users_id_fk: () => new NotFound('profile'),
      }),
    );
}

export async function deleteFollow(followerId: number, followedId: number): Promise<void> {
  using _operation = dbOperation('profiles.deleteFollow');
  await db.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)));
}
