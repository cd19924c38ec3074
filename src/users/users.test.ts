import { describe, expect, test } from 'bun:test';
import { auth, registerUser, send, testClient, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import type { Registration } from './users.model';

const { findUserByEmail } = (await testApp()).repositories.users;
const client = await testClient();

function newUser(overrides: Partial<Registration> = {}): Registration {
  const username = uniqueName();
  return { username, email: `${username}@example.com`, password: 'correct horse', ...overrides };
}

describe('POST /api/users (register)', () => {
  test('creates the user and returns it with a token, 201', async () => {
    const user = newUser();
    const response = await client.api.users.post({ user });

    expect(response.status).toBe(201);
    expect(response.data).toEqual({
      user: { email: user.email, username: user.username, bio: null, image: null, token: expect.any(String) },
    });
  });

  test('stores an argon2id hash, never the password, and never returns either', async () => {
    const user = newUser();
    const response = await client.api.users.post({ user });

    expect(JSON.stringify(response.data)).not.toContain(user.password);
    expect(JSON.stringify(response.data)).not.toContain('argon2');
    const row = await findUserByEmail(user.email);
    expect(row?.passwordHash).toStartWith('$argon2id$');
    expect(row?.passwordHash).toContain('m=19456,t=2,p=1');
  });

  test('refuses a taken email, whatever its case, with 409 on the email field', async () => {
    const first = newUser();
    await client.api.users.post({ user: first });

    const response = await client.api.users.post({ user: newUser({ email: first.email.toUpperCase() }) });

    expect(response.status).toBe(409);
    expect(response.error?.value).toEqual({ errors: { email: ['has already been taken'] } });
  });

  test('refuses a taken username with 409 on the username field', async () => {
    const first = newUser();
    await client.api.users.post({ user: first });

    const response = await client.api.users.post({ user: newUser({ username: first.username }) });

    expect(response.status).toBe(409);
    expect(response.error?.value).toEqual({ errors: { username: ['has already been taken'] } });
  });

  test('20 simultaneous registrations of one email: exactly one 201, the rest 409', async () => {
    const email = `${uniqueName('race')}@example.com`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => client.api.users.post({ user: newUser({ email }) })),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(response.error?.value).toEqual({ errors: { email: ['has already been taken'] } });
    }
  });

  test('names every missing field', async () => {
    const response = await send('POST', '/api/users', { body: { user: {} } });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      errors: { username: ["can't be blank"], email: ["can't be blank"], password: ["can't be blank"] },
    });
  });

  test.each([
    [{ email: 'not-an-email' }, 'email', 'is invalid'],
    [{ email: '' }, 'email', "can't be blank"],
    [{ email: '   ' }, 'email', "can't be blank"],
    [{ password: '' }, 'password', "can't be blank"],
    [{ username: ' ' }, 'username', "can't be blank"],
    [{ password: 'short' }, 'password', 'is too short (minimum is 8 characters)'],
    [{ password: 'x'.repeat(257) }, 'password', 'is too long (maximum is 256 characters)'],
    [{ username: '' }, 'username', "can't be blank"],
    [{ username: 'x'.repeat(65) }, 'username', 'is too long (maximum is 64 characters)'],
    [
      { username: 'has space' },
      'username',
      "may only contain letters, digits, '_', '-' and '.', and may not be '.' or '..'",
    ],
    [{ username: 42 }, 'username', 'must be a string'],
  ])('refuses %j with 422 on the %s field', async (override, field, message) => {
    const response = await send('POST', '/api/users', { body: { user: { ...newUser(), ...override } } });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { [field]: [message] } });
  });

  test('refuses a body without the user wrapper', async () => {
    const response = await send('POST', '/api/users', { body: newUser() });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { user: ["can't be blank"] } });
  });

  test('refuses malformed JSON with 422 and an errors body', async () => {
    const response = await send('POST', '/api/users', { body: '{"user": {' });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { body: ['is not valid JSON'] } });
  });
});

describe('POST /api/users/login', () => {
  test('returns the user with a fresh token; the email matches in any case', async () => {
    const user = await registerUser();
    const response = await client.api.users.login.post({
      user: { email: user.email.toUpperCase(), password: user.password },
    });

    expect(response.status).toBe(200);
    expect(response.data?.user).toMatchObject({ email: user.email, username: user.username });
    const me = await client.api.user.get(auth(response.data?.user.token ?? ''));
    expect(me.data?.user.username).toBe(user.username);
  });

  test('a wrong password and an unknown email get the same 401, naming neither', async () => {
    const user = await registerUser();
    const wrongPassword = await client.api.users.login.post({
      user: { email: user.email, password: 'not the password' },
    });
    const unknownEmail = await client.api.users.login.post({
      user: { email: `${uniqueName()}@example.com`, password: user.password },
    });

    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.error?.value).toEqual({ errors: { credentials: ['invalid'] } });
    expect(unknownEmail.error?.value).toEqual(wrongPassword.error?.value);
  });

  test.each([
    [{ email: '', password: 'password123' }, 'email'],
    [{ email: '  ', password: 'password123' }, 'email'],
    [{ email: 'a@b.c', password: '' }, 'password'],
  ])('refuses blank credentials %j with 422 on the field', async (user, field) => {
    const response = await client.api.users.login.post({ user });

    expect(response.status).toBe(422);
    expect(response.error?.value).toEqual({ errors: { [field]: ["can't be blank"] } });
  });

  test('refuses missing credentials with 422', async () => {
    const response = await send('POST', '/api/users/login', { body: { user: { email: 'a@b.c' } } });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { password: ["can't be blank"] } });
  });
});

describe('GET /api/user', () => {
  test('returns the current user for "Token <jwt>" and "Bearer <jwt>"', async () => {
    const user = await registerUser();
    for (const scheme of ['Token', 'Bearer']) {
      const response = await client.api.user.get({ headers: { authorization: `${scheme} ${user.token}` } });

      expect(response.status).toBe(200);
      expect(response.data?.user).toMatchObject({ email: user.email, username: user.username, bio: null, image: null });
    }
  });

  test('without a token: 401 with an errors body', async () => {
    const response = await client.api.user.get();

    expect(response.status).toBe(401);
    expect(response.error?.value).toEqual({ errors: { token: ['is missing'] } });
  });
});

describe('PUT /api/user', () => {
  test('updates only the fields sent', async () => {
    const user = await registerUser();
    const response = await client.api.user.put(
      { user: { bio: 'I work at statefarm', image: 'https://example.com/jake.png' } },
      auth(user.token),
    );

    expect(response.status).toBe(200);
    expect(response.data?.user).toMatchObject({
      email: user.email,
      username: user.username,
      bio: 'I work at statefarm',
      image: 'https://example.com/jake.png',
    });
    const me = await client.api.user.get(auth(user.token));
    expect(me.data?.user.bio).toBe('I work at statefarm');
  });

  test('an empty string or null clears bio and image', async () => {
    const user = await registerUser();
    await client.api.user.put({ user: { bio: 'something', image: 'https://x.io/a.png' } }, auth(user.token));

    const response = await client.api.user.put({ user: { bio: '', image: null } }, auth(user.token));

    expect(response.status).toBe(200);
    expect(response.data?.user).toMatchObject({ bio: null, image: null });
  });

  test('changes email, username and password; the new password logs in, the old does not', async () => {
    const user = await registerUser();
    const username = uniqueName();
    const changes = { email: `${username}@example.org`, username, password: 'a new password' };

    const response = await client.api.user.put({ user: changes }, auth(user.token));

    expect(response.status).toBe(200);
    expect(response.data?.user).toMatchObject({ email: changes.email, username });
    const login = (password: string) => client.api.users.login.post({ user: { email: changes.email, password } });
    expect((await login('a new password')).status).toBe(200);
    expect((await login(user.password)).status).toBe(401);
  });

  test('refuses an email or username taken by someone else with 409', async () => {
    const [me, other] = await Promise.all([registerUser(), registerUser()]);

    const email = await client.api.user.put({ user: { email: other.email } }, auth(me.token));
    const username = await client.api.user.put({ user: { username: other.username } }, auth(me.token));

    expect(email.status).toBe(409);
    expect(email.error?.value).toEqual({ errors: { email: ['has already been taken'] } });
    expect(username.status).toBe(409);
    expect(username.error?.value).toEqual({ errors: { username: ['has already been taken'] } });
  });

  test('keeping your own email and username is not a conflict', async () => {
    const user = await registerUser();
    const response = await client.api.user.put(
      { user: { email: user.email, username: user.username } },
      auth(user.token),
    );

    expect(response.status).toBe(200);
  });

  test('refuses an update with no fields, and invalid fields, with 422', async () => {
    const user = await registerUser();

    const empty = await client.api.user.put({ user: {} }, auth(user.token));
    const invalid = await client.api.user.put({ user: { email: 'nope', bio: 'x'.repeat(1001) } }, auth(user.token));

    expect(empty.status).toBe(422);
    expect(empty.error?.value).toEqual({ errors: { user: ['must contain at least one field to update'] } });
    expect(invalid.status).toBe(422);
    expect(invalid.error?.value).toEqual({
      errors: { email: ['is invalid'], bio: ['is too long (maximum is 1000 characters)'] },
    });
  });

  test('without a token: 401', async () => {
    const response = await client.api.user.put({ user: { bio: 'x' } });

    expect(response.status).toBe(401);
    expect(response.error?.value.errors).toBeDefined();
  });
});
