/**
 * Who is asking: the authentication macros every controller uses. Routes opt in with
 *
 * - `{ auth: true }`: a valid token of an existing user is required; resolves `currentUserId`.
 *   No header answers 401 `{"token": ["is missing"]}`; a malformed, wrongly signed or expired
 *   token, one whose user is gone, or one issued before the user's latest password change (but
 *   the one that made it) answers 401 `{"token": ["invalid"]}`.
 * - `{ optionalAuth: true }`: anonymous requests are served; resolves `viewerId` (null when
 *   anonymous). A token that cannot be used is served as anonymous, never refused: front ends keep
 *   stale tokens (expired, or signed with a rotated secret) and send them with every public read,
 *   and a 401 there blanks their pages. The `X-Token-Ignored` header tells the client to drop it.
 *
 * Only required auth looks the user up (one primary-key lookup). On optional routes a token is
 * not looked up: a deleted user's id matches no row where the viewer flags (`following`,
 * `favorited`) are computed in SQL, so the answer is the anonymous one; a token retired by a
 * password change still shows its user's own flags there until it expires, and can change nothing.
 */
import { Elysia } from 'elysia';
import { claimsFrom } from '../core/auth';
import { Unauthorized } from '../core/errors';
import type { UsersService } from './users.service';

export const TOKEN_IGNORED_HEADER = 'X-Token-Ignored';

/** The macros, checking sessions with `users`; `createApp` makes one and hands it to every controller. */
export const authentication = (users: UsersService) =>
  new Elysia({ name: 'authentication' }).macro({
    auth: {
      async resolve({ headers }) {
        const claims = claimsFrom(headers.authorization);
        if (claims === null) throw new Unauthorized('tokenMissing');
        await users.assertSessionGood(claims);
        // `session` is for what must act as this very session (the user's own account, whose answers
        // carry a token): such statements check it again, in the same statement that acts.
        return { currentUserId: claims.userId, session: claims };
      },
    },
    optionalAuth: {
      resolve({ headers, set }) {
        try {
          return { viewerId: claimsFrom(headers.authorization)?.userId ?? null };
        } catch (error) {
          if (!(error instanceof Unauthorized)) throw error;
          set.headers[TOKEN_IGNORED_HEADER] = 'invalid';
          return { viewerId: null };
        }
      },
    },
  });
