import { signToken, type TokenClaims } from '../core/auth';
import { Invalid, Unauthorized } from '../core/errors';
import type { ReadCache } from '../core/read-cache';
import type { AuthenticatedUser, Credentials, Registration, UserChanges } from './users.model';
import { hashPassword, passwordMatches } from './users.password';
import type { AccountOwner, UserRow, UsersRepository } from './users.repository';

async function authenticated(user: UserRow): Promise<AuthenticatedUser> {
  return {
    email: user.email,
    token: signToken(user.id, user.tokenVersion),
    username: user.username,
    bio: user.bio,
    image: user.image,
  };
}

/**
 * A session of the account as it stands, without a token: for tools that act for users (the seed),
 * through the same services and guards as their requests. A password change retires it like any other.
 */
export function sessionOf(user: UserRow): TokenClaims {
  return { userId: user.id, version: user.tokenVersion, tokenId: undefined };
}

/**
 * The account rules, over `accounts`; a change to a public profile (username, bio, image) is told to
 * `cache`, since authors appear in every answer it keeps.
 */
export function usersService(accounts: UsersRepository, cache: Pick<ReadCache, 'changed'>) {
  /*
   * The account rules come apart from issuing a session (a token): the seed creates and edits accounts
   * under the same rules without signing anything, so it needs no JWT_SECRET.
   */

  /** A new account; the database refuses a taken email or username. */
  async function createAccount({ username, email, password }: Registration): Promise<UserRow> {
    return accounts.insertUser({ username, email, passwordHash: await hashPassword(password) });
  }

  async function register(registration: Registration): Promise<AuthenticatedUser> {
    return authenticated(await createAccount(registration));
  }

  /** The account these credentials open. */
  async function checkCredentials({ email, password }: Credentials): Promise<UserRow> {
    const user = await accounts.findUserByEmail(email);
    // Always verify, also for an unknown email, so that both failures take as long.
    const matches = await passwordMatches(password, user?.passwordHash);
    if (!user || !matches) {
      // One answer for both cases: never tell which of the two was wrong.
      throw new Unauthorized('credentialsInvalid');
    }
    return user;
  }

  async function login(credentials: Credentials): Promise<AuthenticatedUser> {
    return authenticated(await checkCredentials(credentials));
  }

  /** 401 unless the session may still act (its user exists, and no password change has retired it). */
  async function assertSessionGood(session: TokenClaims): Promise<void> {
    if (!(await accounts.isSessionGood(session))) throw new Unauthorized('tokenInvalid');
  }

  /**
   * The signed-in user, with a token. The session is checked again by the statement that reads the
   * row the token is signed from: a password change that retires the session between the request's
   * token check and this read answers 401, never a token of the new version.
   */
  async function currentUser(session: TokenClaims): Promise<AuthenticatedUser> {
    const user = await accounts.findSessionUser(session);
    if (!user) throw new Unauthorized('tokenInvalid');
    return authenticated(user);
  }

  /**
   * A password change ends every other session: with a session as the owner, its token is recorded as
   * the one that made the change, and stays good.
   */
  async function changeAccount(owner: AccountOwner, changes: UserChanges): Promise<UserRow> {
    const { password, bio, image, ...rest } = changes;
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new Invalid({ user: ['must contain at least one field to update'] });
    }
    const row = {
      ...rest,
      // Front ends send "" from untouched settings fields: both "" and null clear the value.
      ...(bio !== undefined && { bio: bio || null }),
      ...(image !== undefined && { image: image?.trim() || null }),
      ...(password !== undefined && {
        passwordHash: await hashPassword(password),
        passwordChangedByToken: ('session' in owner && owner.session.tokenId) || null,
      }),
    };
    const profileChanges = rest.username !== undefined || bio !== undefined || image !== undefined;
    let user: UserRow | undefined;
    try {
      user = await accounts.updateUser(owner, row);
    } finally {
      // Whatever the outcome: a write whose answer was lost may still have committed.
      if (profileChanges) cache.changed({ kind: 'users', keys: user ? [user.username.toLowerCase()] : [] });
    }
    // Gone, or (for a session) retired by a password change that committed first.
    if (!user) throw new Unauthorized('tokenInvalid');
    return user;
  }

  /** Changes the signed-in user's account, only while the session is still good (checked by the update itself). */
  async function updateCurrentUser(session: TokenClaims, changes: UserChanges): Promise<AuthenticatedUser> {
    return authenticated(await changeAccount({ session }, changes));
  }

  return {
    createAccount,
    register,
    checkCredentials,
    login,
    assertSessionGood,
    currentUser,
    changeAccount,
    updateCurrentUser,
  };
}

export type UsersService = ReturnType<typeof usersService>;
