/**
 * Tokens: an HS256 JWT whose subject is the user id. Signing and reading them is pure and needs
 * no database; the Elysia macros that turn a request's token into the current user (and check
 * that the user still exists) are in src/users/users.auth.ts.
 */
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
  throw new Unauthorized('tokenInvalid');
}

const AUTHORIZATION = /^(?:Token|Bearer) +(\S+)\s*$/i;

/** The token of an `Authorization: Token <jwt>` (or `Bearer <jwt>`) header; undefined when there is no header. */
export function tokenFrom(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match?.[1]) throw new Unauthorized('tokenInvalid');
  return match[1];
}

/**
 * The user id an `Authorization` header carries: null when there is none, else the token's
 * subject. Throws Unauthorized('tokenInvalid') for a malformed header or a token that does not verify.
 */
export function userIdFrom(header: string | undefined): number | null {
  const token = tokenFrom(header);
  return token === undefined ? null : verifyToken(token);
}
