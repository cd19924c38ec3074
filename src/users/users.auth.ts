/**
 * Who is asking: the authentication macros every controller uses. Routes opt in with
 *
 * - `{ auth: true }`: a valid token of an existing user is required; resolves `currentUserId`.
 *   No header answers 401 `{"token": ["is missing"]}`; a malformed, wrongly signed or expired
 *   token, or one whose user is gone, answers 401 `{"token": ["invalid"]}`.
 * - `{ optionalAuth: true }`: anonymous requests are served; resolves `viewerId` (null when
 *   anonymous). A token that cannot be used is served as anonymous, never refused: front ends keep
 *   stale tokens (expired, or signed with a rotated secret) and send them with every public read,
 *   and a 401 there blanks their pages. The `X-Token-Ignored` header tells the client to drop it.
 *
 * Only required auth looks the user up. On optional routes a deleted user's id needs no lookup:
 * the viewer flags (`following`, `favorited`) are computed in SQL against that id, which matches
 * no row, so the answer is the anonymous one.
 */
import { Elysia } from 'elysia';
import { userIdFrom } from '../core/auth';
import { Unauthorized } from '../core/errors';
import { userExists } from './users.repository';

export const TOKEN_IGNORED_HEADER = 'X-Token-Ignored';

export const authentication = new Elysia({ name: 'authentication' }).macro({
  auth: {
    async resolve({ headers }) {
      const userId = userIdFrom(headers.authorization);
      if (userId === null) throw new Unauthorized('tokenMissing');
      if (!(await userExists(userId))) throw new Unauthorized('tokenInvalid');
      return { currentUserId: userId };
    },
  },
  optionalAuth: {
    resolve({ headers, set }) {
      try {
        return { viewerId: userIdFrom(headers.authorization) };
      } catch (error) {
        if (!(error instanceof Unauthorized)) throw error;
        set.headers[TOKEN_IGNORED_HEADER] = 'invalid';
        return { viewerId: null };
      }
    },
  },
});
