/**
 * Tokens and the authentication macros.
 *
 * A token is an HS256 JWT whose subject is the user id. Routes opt in with
 * `{ auth: true }` (a valid token is required; resolves `currentUserId`) or
 * `{ optionalAuth: true }` (anonymous allowed; resolves `viewerId`, null when anonymous).
 * A token that is present but invalid is refused on both.
 */
import { Elysia } from 'elysia';
import { createSigner, createVerifier } from 'fast-jwt';
import { config } from './config';
import { Unauthorized } from './errors';

/*
 * fast-jwt signs and verifies with node:crypto's HMAC synchronously (microseconds), where the
 * WebCrypto-based libraries take a thread-pool round trip per token: on token-bearing reads that
 * was a tenth of the server's CPU. The algorithm list is fixed, so "none" and others are refused.
 */
const ALGORITHM = 'HS256';

const sign = createSigner({ key: config.jwt.secret, algorithm: ALGORITHM, expiresIn: config.jwt.expiresInMs });
const verify = createVerifier({
  key: config.jwt.secret,
  algorithms: [ALGORITHM],
  requiredClaims: ['sub', 'exp'],
});

export function signToken(userId: number): string {
  return sign({ sub: String(userId) });
}

/** The user id a token was issued to; throws Unauthorized for anything but a valid, unexpired HS256 token. */
export function verifyToken(token: string): number {
  try {
    const userId = Number(verify(token).sub);
    if (Number.isSafeInteger(userId) && userId > 0) return userId;
  } catch {
    // Signature, algorithm, expiry and format failures all answer the same way.
  }
  throw new Unauthorized({ token: ['is invalid or expired'] });
}

const AUTHORIZATION = /^(?:Token|Bearer) +(\S+)\s*$/i;

/** The token of an `Authorization: Token <jwt>` (or `Bearer <jwt>`) header; undefined when there is no header. */
export function tokenFrom(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match?.[1]) throw new Unauthorized({ token: ['must be sent as "Authorization: Token <jwt>"'] });
  return match[1];
}

export const authentication = new Elysia({ name: 'authentication' }).macro({
  auth: {
    resolve({ headers }) {
      const token = tokenFrom(headers.authorization);
      if (token === undefined) throw new Unauthorized({ token: ['is missing'] });
      return { currentUserId: verifyToken(token) };
    },
  },
  optionalAuth: {
    resolve({ headers }) {
      const token = tokenFrom(headers.authorization);
      return { viewerId: token === undefined ? null : verifyToken(token) };
    },
  },
});
