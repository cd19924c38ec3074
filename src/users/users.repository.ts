import { and, eq, inArray, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { TokenClaims } from '../core/auth';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation, violatedNotNull } from '../core/database-errors';
import { Conflict, Unauthorized } from '../core/errors';
import { query } from '../core/sql';
import { users } from './schema/users.schema';

// Accounts are read from the primary: a login right after registering must find the new user.
export type UserRow = typeof users.$inferSelect;
type NewUserRow = typeof users.$inferInsert;

/** The database decides uniqueness; a violation becomes the contract's 409 for that field. */
const TAKEN = {
  users_email_unique: () => new Conflict('email'),
  users_username_lower_unique: () => new Conflict('username'),
};

/** A session's claims, as values (`sessionParams`) or as a prepared statement's placeholders. */
export interface SessionValues {
  sessionUserId: number | SQLWrapper;
  sessionVersion: number | SQLWrapper;
  sessionTokenId: string | null | SQLWrapper;
}

/**
 * The one rule for a token still being good, as SQL: its user exists, and it was issued under their
 * current token version, or it is the very token that made the latest password change (changing a
 * password ends every other session, not the one that changed it: RealWorld's official suite changes
 * a password twice with one token, as a settings page does). Every statement that acts for a session
 * carries it, so that the check and the act see the same row: a password change that commits
 * between them cannot be missed.
 */
function sessionIsGood({ sessionUserId, sessionVersion, sessionTokenId }: SessionValues) {
  return and(
    eq(users.id, sessionUserId),
    or(
      eq(users.tokenVersion, sessionVersion),
      sessionTokenId === null ? undefined : eq(users.passwordChangedByToken, sessionTokenId),
    ),
  );
}

/** The values of a session's claims for `sessionUser`, `sessionHolds` and the placeholders below. */
export function sessionParams({ userId, version, tokenId }: TokenClaims) {
  // A token from before token ids existed carries none: it can only be good by its version.
  return { sessionUserId: userId, sessionVersion: version, sessionTokenId: tokenId ?? null };
}

/** The placeholders of a prepared statement that acts for a session; `sessionParams` gives their values. */
export const sessionPlaceholders: SessionValues = {
  sessionUserId: sql.placeholder('sessionUserId'),
  sessionVersion: sql.placeholder('sessionVersion'),
  sessionTokenId: sql.placeholder('sessionTokenId'),
};

/*
 * A write made for a session carries the session's check in its own statement, so that a password
 * change cannot commit between the check and the write. The check holds the user's row in key-share
 * mode until the write commits, and a password change locks that row FOR UPDATE, the one row lock
 * that key share conflicts with (see updateUser): the change either waits for a write under way to
 * commit, or locks first, and then the write's check waits for it and fails (PostgreSQL re-reads a
 * locked row that changed while it waited). No write of a retired session lands after the change.
 * Key share is also the lock a foreign key to the user takes (an article's author, a follower): an
 * insert holds it anyway, so the check costs it no second lock. Other changes to the user's row (a
 * bio) neither wait for the user's writes nor hold them up.
 */
const sessionRow = (session: SessionValues) =>
  query.select({ id: users.id }).from(users).where(sessionIsGood(session)).for('key share');

/**
 * The session's user id while the session is good, else NULL: an INSERT's actor column (the author,
 * the follower ...), which is NOT NULL, so that a retired session's insert fails as a whole. Its
 * `catch` passes the failure to `rethrowIfSessionRetired`.
 */
export function sessionUserId(session: SessionValues): SQL<number> {
  return sql<number>`(${sessionRow(session)})`;
}

/** After an INSERT whose actor is `sessionUserId` failed: 401 when the session is why (the actor column refused NULL). */
export function rethrowIfSessionRetired(error: unknown, actorColumn: string): void {
  if (violatedNotNull(error) === actorColumn) throw new Unauthorized('tokenInvalid');
}

/**
 * True while the session is good: for an UPDATE's or a DELETE's WHERE. Such a write that wrote
 * nothing asks `refuseRetiredSession` whether the session was why.
 */
export function sessionHolds(session: SessionValues): SQL {
  return sql`exists (${sessionRow(session)})`;
}

/**
 * Whose account a change is for: a signed-in session (the change applies only while the session is
 * still good, and the UPDATE itself checks that: it waits for a concurrent password change's row
 * lock, then sees its result), or an account named by id (the seed, operators' tools).
 */
export type AccountOwner = { session: TokenClaims } | { userId: number };

/** The accounts and the sessions' rule, on `database` (the primary: accounts are read where they are written). */
export function usersRepository({ db, admit }: AppDatabase) {
  async function insertUser(user: NewUserRow): Promise<UserRow> {
    using _operation = await admit('users.insertUser', 'primary');
    try {
      const [row] = await db.insert(users).values(user).returning();
      return row as UserRow;
    } catch (error) {
      rethrowConstraintViolation(error, TAKEN);
    }
  }

  /**
   * Deletes the rows `where` picks, for a session: only while the session is good (the DELETE carries
   * `sessionHolds`), and 401 when it deleted nothing because the session was retired. Nothing deleted
   * with the session still good is the caller's ordinary case (a parallel delete won, or there was
   * nothing to delete) and passes quietly.
   */
  async function deleteForSession(session: TokenClaims, table: PgTable, where: SQL | undefined): Promise<void> {
    const deleted = await db
      .delete(table)
      .where(and(where, sessionHolds(sessionParams(session))))
      .returning({ deleted: sql<number>`1` });
    if (deleted.length === 0) await refuseRetiredSession(session);
  }

  const goodSessionStatement = db
    .select({ id: users.id })
    .from(users)
    .where(sessionIsGood(sessionPlaceholders))
    .prepare('user_session_is_good');

  /**
   * After a write guarded by `sessionHolds` wrote nothing: 401 when the session is why
   * (a password change retired it, or its user is gone); when it returns, the caller goes on to the
   * other reasons. Runs within the caller's operation (it takes no second place at the pool gate).
   */
  async function refuseRetiredSession(session: TokenClaims): Promise<void> {
    const rows = await goodSessionStatement.execute(sessionParams(session));
    if (rows.length === 0) throw new Unauthorized('tokenInvalid');
  }

  /**
   * Whether the session may act now: one primary-key lookup, made for every request that needs a
   * signed-in user.
   */
  async function isSessionGood(session: TokenClaims): Promise<boolean> {
    using _operation = await admit('users.isSessionGood', 'primary');
    const rows = await goodSessionStatement.execute(sessionParams(session));
    return rows.length > 0;
  }

  const sessionUserStatement = db
    .select()
    .from(users)
    .where(sessionIsGood(sessionPlaceholders))
    .prepare('user_of_session');

  /**
   * The session's user, read by the same statement that checks the session is still good; undefined
   * when it is not (its user deleted, or a password change retired it). A token signed from this row
   * carries a version under which the session was good.
   */
  async function findSessionUser(session: TokenClaims): Promise<UserRow | undefined> {
    using _operation = await admit('users.findSessionUser', 'primary');
    const [row] = await sessionUserStatement.execute(sessionParams(session));
    return row;
  }

  /** Case-insensitive, through the lower(email) unique index. */
  async function findUserByEmail(email: string): Promise<UserRow | undefined> {
    using _operation = await admit('users.findUserByEmail', 'primary');
    const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
    return row;
  }

  /** The account's row, locked FOR UPDATE: a password change waits here for the writes it must not overtake. */
  function lockForUpdate(owner: AccountOwner) {
    const id = 'userId' in owner ? owner.userId : owner.session.userId;
    return db.select({ id: users.id }).from(users).where(eq(users.id, id)).for('update');
  }

  /**
   * Applies the changes and returns the updated row, or undefined when the user no longer exists or
   * the session is no longer good. A new password hash moves the token version on in the same
   * statement, and records which token made the change (`changes.passwordChangedByToken`): every other
   * token issued before stops working. That statement first locks the row FOR UPDATE, so that it waits
   * for the writes of the sessions it retires that are under way (see sessionRow).
   */
  async function updateUser(owner: AccountOwner, changes: Partial<NewUserRow>): Promise<UserRow | undefined> {
    using _operation = await admit('users.updateUser', 'primary');
    try {
      const [row] = await db
        .update(users)
        .set({
          ...changes,
          ...(changes.passwordHash !== undefined && { tokenVersion: sql`${users.tokenVersion} + 1` }),
          updatedAt: sql`now()`,
        })
        .where(
          and(
            'userId' in owner ? eq(users.id, owner.userId) : sessionIsGood(sessionParams(owner.session)),
            changes.passwordHash === undefined ? undefined : inArray(users.id, lockForUpdate(owner)),
          ),
        )
        .returning();
      return row;
    } catch (error) {
      rethrowConstraintViolation(error, TAKEN);
    }
  }

  return {
    insertUser,
    deleteForSession,
    refuseRetiredSession,
    isSessionGood,
    findSessionUser,
    findUserByEmail,
    updateUser,
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
