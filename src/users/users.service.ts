import { signToken } from '../core/auth';
import { Invalid, Unauthorized } from '../core/errors';
import type { AuthenticatedUser, Credentials, Registration, UserChanges } from './users.model';
import { hashPassword, passwordMatches } from './users.password';
import { findUserByEmail, findUserById, insertUser, type UserRow, updateUser } from './users.repository';

async function authenticated(user: UserRow): Promise<AuthenticatedUser> {
  return {
    email: user.email,
    token: signToken(user.id, user.tokenVersion),
    username: user.username,
    bio: user.bio,
    image: user.image,
  };
}

/*
 * The account rules come apart from issuing a session (a token): the seed creates and edits accounts
 * under the same rules without signing anything, so it needs no JWT_SECRET.
 */

/** A new account; the database refuses a taken email or username. */
export async function createAccount({ username, email, password }: Registration): Promise<UserRow> {
  return insertUser({ username, email, passwordHash: await hashPassword(password) });
}

export async function register(registration: Registration): Promise<AuthenticatedUser> {
  return authenticated(await createAccount(registration));
}

/** The account these credentials open. */
export async function checkCredentials({ email, password }: Credentials): Promise<UserRow> {
  const user = await findUserByEmail(email);
  // Always verify, also for an unknown email, so that both failures take as long.
  const matches = await passwordMatches(password, user?.passwordHash);
  if (!user || !matches) {
    // One answer for both cases: never tell which of the two was wrong.
    throw new Unauthorized('credentialsInvalid');
  }
  return user;
}

export async function login(credentials: Credentials): Promise<AuthenticatedUser> {
  return authenticated(await checkCredentials(credentials));
}

export async function currentUser(userId: number): Promise<AuthenticatedUser> {
  const user = await findUserById(userId);
  // The user was deleted after the request's token was checked.
  if (!user) throw new Unauthorized('tokenInvalid');
  return authenticated(user);
}

/**
 * `changedBy` is the id of the token the request came with: a password change ends every other
 * session, and that token stays good.
 */
export async function changeAccount(
  userId: number,
  changes: UserChanges,
  changedBy: string | undefined,
): Promise<UserRow> {
  const { password, bio, image, ...rest } = changes;
  if (Object.values(changes).every((value) => value === undefined)) {
    throw new Invalid({ user: ['must contain at least one field to update'] });
  }
  const user = await updateUser(userId, {
    ...rest,
    // Front ends send "" from untouched settings fields: both "" and null clear the value.
    ...(bio !== undefined && { bio: bio || null }),
    ...(image !== undefined && { image: image?.trim() || null }),
    ...(password !== undefined && {
      passwordHash: await hashPassword(password),
      passwordChangedByToken: changedBy ?? null,
    }),
  });
  if (!user) throw new Unauthorized('tokenInvalid');
  return user;
}

export async function updateCurrentUser(
  userId: number,
  changes: UserChanges,
  changedBy: string | undefined,
): Promise<AuthenticatedUser> {
  return authenticated(await changeAccount(userId, changes, changedBy));
}
