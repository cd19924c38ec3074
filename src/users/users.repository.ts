import { eq, sql } from 'drizzle-orm';
import { db } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { Conflict } from '../core/errors';
import { dbOperation } from '../core/metrics';
import { users } from './schema/users.schema';

// Accounts are read from the primary: a login right after registering must find the new user.
export type UserRow = typeof users.$inferSelect;
type NewUserRow = typeof users.$inferInsert;

/** The database decides uniqueness; a violation becomes the contract's 409 for that field. */
const TAKEN = {
  users_email_unique: () => new Conflict('email'),
  users_username_lower_unique: () => new Conflict('username'),
  users_username_unique: () => new Conflict('username'),
};

export async function insertUser(user: NewUserRow): Promise<UserRow> {
  using _operation = dbOperation('users.insertUser');
  try {
    const [row] = await db.insert(users).values(user).returning();
    return row as UserRow;
  } catch (error) {
    rethrowConstraintViolation(error, TAKEN);
  }
}

const tokenStateStatement = db
  .select({ tokenVersion: users.tokenVersion, passwordChangedByToken: users.passwordChangedByToken })
  .from(users)
  .where(eq(users.id, sql.placeholder('id')))
  .prepare('user_token_state');

export type TokenState = NonNullable<Awaited<ReturnType<typeof findTokenState>>>;

/**
 * What decides whether a user's token is still good (their token version, and the token that made
 * the latest password change), or undefined when there is no such user: one primary-key lookup,
 * made for every request that needs a signed-in user.
 */
export async function findTokenState(id: number) {
  using _operation = dbOperation('users.findTokenState');
  const [row] = await tokenStateStatement.execute({ id });
  return row;
}

export async function findUserById(id: number): Promise<UserRow | undefined> {
  using _operation = dbOperation('users.findUserById');
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** Case-insensitive, through the lower(email) unique index. */
export async function findUserByEmail(email: string): Promise<UserRow | undefined> {
  using _operation = dbOperation('users.findUserByEmail');
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

/**
 * Applies the changes and returns the updated row, or undefined when the user no longer exists.
 * A new password hash moves the token version on in the same statement, and records which token
 * made the change (`changes.passwordChangedByToken`): every other token issued before stops working.
 */
export async function updateUser(id: number, changes: Partial<NewUserRow>): Promise<UserRow | undefined> {
  using _operation = dbOperation('users.updateUser');
  try {
    const [row] = await db
      .update(users)
      .set({
        ...changes,
        ...(changes.passwordHash !== undefined && { tokenVersion: sql`${users.tokenVersion} + 1` }),
        updatedAt: sql`now()`,
      })
      .where(eq(users.id, id))
      .returning();
    return row;
  } catch (error) {
    rethrowConstraintViolation(error, TAKEN);
  }
}
