/**
 * Tokens and the authentication macros.
 *
 * A token is an HS256 JWT whose subject is the user id. Routes opt in with
 * `{ auth: true }` (a valid token is required; resolves `currentUserId`) or
 * `{ optionalAuth: true }` (anonymous allowed; resolves `viewerId`, null when anonymous).
 * A token that is present but invalid is refused on both.
 */
import { Elysia } from 'elysia';
import { jwtVerify, SignJWT } from 'jose';
import { config } from './config';
import { Unauthorized } from './errors';

const ALGORITHM = 'HS256';
const secretKey = new TextEncoder().encode(config.jwt.secret);

export function signToken(userId: number): Promise<string> {
  return new SignJWT()
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuedAt()
    .setExpirationTime(config.jwt.expiresIn)
    .sign(secretKey);
}

/** The user id a token was issued to; throws Unauthorized for anything but a valid, unexpired HS256 token. */
export async function verifyToken(token: string): Promise<number> {
  try {
    const { payload } = await jwtVerify(token, secretKey, {
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
    });
    const userId = Number(payload.sub);
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
    async resolve({ headers }) {
      const token = tokenFrom(headers.authorization);
      if (token === undefined) throw new Unauthorized({ token: ['is missing'] });
      return { currentUserId: await verifyToken(token) };
    },
  },
  optionalAuth: {
    async resolve({ headers }) {
      const token = tokenFrom(headers.authorization);
      return { viewerId: token === undefined ? null : await verifyToken(token) };
    },
  },
});
