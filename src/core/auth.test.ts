import { describe, expect, test } from 'bun:test';
import { signToken, tokenFrom, verifyToken } from './auth';
import { Unauthorized } from './errors';

describe('tokenFrom', () => {
  test('reads "Token <jwt>" and "Bearer <jwt>", in any case of the scheme', () => {
    expect(tokenFrom('Token abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFrom('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFrom('token abc.def.ghi')).toBe('abc.def.ghi');
  });

  test('no header means no token', () => {
    expect(tokenFrom(undefined)).toBeUndefined();
    expect(tokenFrom('')).toBeUndefined();
  });

  test('any other shape is refused', () => {
    for (const header of ['abc.def.ghi', 'Basic abc', 'Token', 'Token a b']) {
      expect(() => tokenFrom(header)).toThrow(Unauthorized);
    }
  });
});

describe('signToken / verifyToken', () => {
  test('a signed token verifies to its user id', async () => {
    expect(await verifyToken(await signToken(42))).toBe(42);
  });

  test('a tampered token is refused', async () => {
    const token = await signToken(42);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: '1', exp: 9_999_999_999 })).toString('base64url');
    expect(verifyToken(`${header}.${payload}.${signature}`)).rejects.toThrow(Unauthorized);
  });
});
