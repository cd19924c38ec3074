import { and, eq, type SQLWrapper, sql } from 'drizzle-orm';
import type { TokenClaims } from '../core/auth';
import type { ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { NotFound } from '../core/errors';
import { type ColumnsOf, viewer, viewerParam } from '../core/sql';
import { users } from '../users/schema/users.schema';
import { rethrowIfSessionRetired, sessionParams, sessionUserId, type UsersRepository } from '../users/users.repository';
import { follows } from './schema/follows.schema';

/** The users columns a profile is made of, from `users` or a subquery of it. */
export type UserSource = ColumnsOf<typeof users, 'id' | 'username' | 'bio' | 'image'>;

/**
 * A user as the viewer sees them: the one profile shape, selected wherever a profile appears (the
 * profile itself, an article's author, a comment's author). `user` is `users` or a subquery of its
 * columns.
 */
export function profileColumns<User extends UserSource>(source: User, viewerId: SQLWrapper) {
  // Typed as the source has them (a table, or a subquery under its own name), not as the constraint.
  const user: Pick<User, keyof UserSource> = source;
  return {
    username: user.username,
    bio: user.bio,
    image: user.image,
    following: sql<boolean>`exists (select 1 from ${follows} where ${follows.followerId} = ${viewerId} and ${follows.followedId} = ${user.id})`,
  };
}

/**
 * Which of the users named (a text[] of lower-case usernames) the viewer follows, as lower-case
 * usernames: a probe of the lower(username) index each, then of the follows primary key.
 */
export function followedAmong(usernames: SQLWrapper) {
  return sql<
    string[]
  >`array(select lower(${users.username}) from ${users} join ${follows} on ${follows.followedId} = ${users.id} and ${follows.followerId} = ${viewer} where lower(${users.username}) = any(${usernames}::text[]))`;
}

/** Profiles and follows, on `database`; `accounts` checks the session of each follow and unfollow. */
export function profilesRepository({ db, preparedOn, admit }: AppDatabase, accounts: UsersRepository) {
  const profileByUsername = preparedOn((database) =>
    database
      .select({ id: users.id, profile: profileColumns(users, viewer) })
      .from(users)
      // Any letter case: usernames are unique regardless of it (the lower(username) unique index).
      .where(sql`lower(${users.username}) = lower(${sql.placeholder('username')})`)
      .prepare('profile_by_username'),
  );

  /**
   * The profile as the viewer sees it, with the user's id for the service's rules. Follows read the
   * primary: the user followed may have registered a moment ago.
   */
  async function findProfile(username: string, viewerId: number | null, { readFrom }: { readFrom: ReadFrom }) {
    using _operation = await admit('profiles.findProfile', readFrom);
    const [row] = await profileByUsername(readFrom).execute({ username, viewer: viewerParam(viewerId) });
    return row;
  }

  /**
   * The session's user follows the other user: idempotent (following twice leaves one row); 401 when
   * the session is no longer good.
   */
  async function insertFollow(session: TokenClaims, followedId: number): Promise<void> {
    using _operation = await admit('profiles.insertFollow', 'primary');
    await db
      .insert(follows)
      // The follower is the session's user while the session is good, else NULL, which the column refuses.
      .values({ followerId: sessionUserId(sessionParams(session)), followedId })
      .onConflictDoNothing()
      .catch((error) => {
        rethrowIfSessionRetired(error, 'follower_id');
        return rethrowConstraintViolation(error, {
          follows_followed_id_users_id_fk: () => new NotFound('profile'),
        });
      });
  }

  /** The session's user stops following the other user: idempotent; 401 when the session is no longer good. */
  async function deleteFollow(session: TokenClaims, followedId: number): Promise<void> {
    using _operation = await admit('profiles.deleteFollow', 'primary');
    await accounts.deleteForSession(
      session,
      follows,
      and(eq(follows.followerId, session.userId), eq(follows.followedId, followedId)),
    );
  }

  const followedAmongNames = preparedOn((database) =>
    database
      .select({ following: followedAmong(sql.placeholder('usernames')) })
      .from(users)
      .where(eq(users.id, viewer))
      .prepare('followed_among'),
  );

  /**
   * Which of `usernames` (lower case) the viewer follows, lower case: the viewer's flags for an answer
   * the read cache shares (src/core/read-cache.ts).
   */
  async function findFollowed(viewerId: number, usernames: string[], { readFrom }: { readFrom: ReadFrom }) {
    if (usernames.length === 0) return [];
    using _operation = await admit('profiles.findFollowed', readFrom);
    const [row] = await followedAmongNames(readFrom).execute({ viewer: viewerId, usernames });
    return row?.following ?? [];
  }

  return { findProfile, findFollowed, insertFollow, deleteFollow };
}

export type ProfilesRepository = ReturnType<typeof profilesRepository>;
