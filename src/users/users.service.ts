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

export async function register({ username, email, password }: Registration): Promise<AuthenticatedUser> {
  const user = await insertUser({ username, email, passwordHash: await hashPassword(password) });
  return authenticated(user);
}

export async function login({ email, password }: Credentials): Promise<AuthenticatedUser> {
  const user = await findUserByEmail(email);
  // Always verify, also for an unknown email, so that both failures take as long.
  const matches = await passwordMatches(password, user?.passwordHash);
  if (!user || !matches) {
    // One answer for both cases: never tell which of the two was wrong.
    throw new Unauthorized('credentialsInvalid');
  }
  return authenticated(user);
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
export async function updateCurrentUser(
  userId: number,
  changes: UserChanges,
  changedBy: string | undefined,
): Promise<AuthenticatedUser> {
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
  return authenticated(user);
}
