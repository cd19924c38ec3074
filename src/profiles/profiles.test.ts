import { describe, expect, test } from 'bun:test';
import { auth, errorsOf, registerUser, send, testClient, uniqueName } from '../test/api';

const client = await testClient();

describe('GET /api/profiles/:username', () => {
  test('anonymous viewers see following: false', async () => {
    const user = await registerUser();
    await client.api.user.put({ user: { bio: 'Hi', image: 'https://x.io/a.png' } }, auth(user.token));

    const response = await client.api.profiles({ username: user.username }).get();

    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      profile: { username: user.username, bio: 'Hi', image: 'https://x.io/a.png', following: false },
    });
  });

  test('an unknown username is a 404 with an errors body', async () => {
    const response = await client.api.profiles({ username: uniqueName('ghost') }).get();

    expect(response.status).toBe(404);
    expect(response.error?.value).toEqual({ errors: { profile: ['not found'] } });
  });
});

describe('POST and DELETE /api/profiles/:username/follow', () => {
  test('follow, see it on the profile, unfollow', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const followed = await client.api.profiles({ username: celeb.username }).follow.post(undefined, auth(fan.token));
    expect(followed.status).toBe(200);
    expect(followed.data?.profile).toEqual({ username: celeb.username, bio: null, image: null, following: true });

    const seen = await client.api.profiles({ username: celeb.username }).get(auth(fan.token));
    expect(seen.data?.profile.following).toBe(true);
    const seenByOthers = await client.api.profiles({ username: celeb.username }).get(auth(celeb.token));
    expect(seenByOthers.data?.profile.following).toBe(false);

    const unfollowed = await client.api
      .profiles({ username: celeb.username })
      .follow.delete(undefined, auth(fan.token));
    expect(unfollowed.status).toBe(200);
    expect(unfollowed.data?.profile.following).toBe(false);
    expect((await client.api.profiles({ username: celeb.username }).get(auth(fan.token))).data?.profile.following).toBe(
      false,
    );
  });

  test('following twice, or unfollowing someone not followed, is not an error', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const first = await client.api.profiles({ username: celeb.username }).follow.post(undefined, auth(fan.token));
    const second = await client.api.profiles({ username: celeb.username }).follow.post(undefined, auth(fan.token));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.data?.profile.following).toBe(true);

    await client.api.profiles({ username: celeb.username }).follow.delete(undefined, auth(fan.token));
    const again = await client.api.profiles({ username: celeb.username }).follow.delete(undefined, auth(fan.token));
    expect(again.status).toBe(200);
    expect(again.data?.profile.following).toBe(false);
  });

  test('parallel follows of one user by one fan: all succeed, one follow', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.api.profiles({ username: celeb.username }).follow.post(undefined, auth(fan.token)),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    // One unfollow removes it: there was exactly one row.
    await client.api.profiles({ username: celeb.username }).follow.delete(undefined, auth(fan.token));
    expect((await client.api.profiles({ username: celeb.username }).get(auth(fan.token))).data?.profile.following).toBe(
      false,
    );
  });

  test('following yourself is a 422', async () => {
    const user = await registerUser();
    const response = await client.api.profiles({ username: user.username }).follow.post(undefined, auth(user.token));

    expect(response.status).toBe(422);
    expect(response.error?.value).toEqual({ errors: { profile: ['cannot follow yourself'] } });
  });

  test('an unknown user is a 404', async () => {
    const fan = await registerUser();
    for (const method of ['POST', 'DELETE']) {
      const response = await send(method, `/api/profiles/${uniqueName('ghost')}/follow`, { token: fan.token });
      expect(response.status).toBe(404);
      expect(errorsOf(response.body).profile).toEqual(['not found']);
    }
  });

  test('without a token: 401', async () => {
    const celeb = await registerUser();
    for (const method of ['POST', 'DELETE']) {
      const response = await send(method, `/api/profiles/${celeb.username}/follow`);
      expect(response.status).toBe(401);
      expect(errorsOf(response.body)).toBeDefined();
    }
  });
});
