import { describe, expect, test } from 'bun:test';
import { api, registerUser, uniqueName } from '../test/api';

describe('GET /api/profiles/:username', () => {
  test('anonymous viewers see following: false', async () => {
    const user = await registerUser();
    await api('PUT', '/api/user', { token: user.token, body: { user: { bio: 'Hi', image: 'https://x.io/a.png' } } });

    const response = await api('GET', `/api/profiles/${user.username}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      profile: { username: user.username, bio: 'Hi', image: 'https://x.io/a.png', following: false },
    });
  });

  test('an unknown username is a 404 with an errors body', async () => {
    const response = await api('GET', `/api/profiles/${uniqueName('ghost')}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: { profile: ['not found'] } });
  });
});

describe('POST and DELETE /api/profiles/:username/follow', () => {
  test('follow, see it on the profile, unfollow', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const followed = await api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    expect(followed.status).toBe(200);
    expect(followed.body.profile).toEqual({ username: celeb.username, bio: null, image: null, following: true });

    const seen = await api('GET', `/api/profiles/${celeb.username}`, { token: fan.token });
    expect(seen.body.profile.following).toBe(true);
    const seenByOthers = await api('GET', `/api/profiles/${celeb.username}`, { token: celeb.token });
    expect(seenByOthers.body.profile.following).toBe(false);

    const unfollowed = await api('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    expect(unfollowed.status).toBe(200);
    expect(unfollowed.body.profile.following).toBe(false);
    expect((await api('GET', `/api/profiles/${celeb.username}`, { token: fan.token })).body.profile.following).toBe(
      false,
    );
  });

  test('following twice, or unfollowing someone not followed, is not an error', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const first = await api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    const second = await api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.profile.following).toBe(true);

    await api('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    const again = await api('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    expect(again.status).toBe(200);
    expect(again.body.profile.following).toBe(false);
  });

  test('parallel follows of one user by one fan: all succeed, one follow', async () => {
    const [fan, celeb] = await Promise.all([registerUser(), registerUser()]);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token })),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    // One unfollow removes it: there was exactly one row.
    await api('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    expect((await api('GET', `/api/profiles/${celeb.username}`, { token: fan.token })).body.profile.following).toBe(
      false,
    );
  });

  test('following yourself is a 422', async () => {
    const user = await registerUser();
    const response = await api('POST', `/api/profiles/${user.username}/follow`, { token: user.token });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { profile: ['cannot follow yourself'] } });
  });

  test('an unknown user is a 404', async () => {
    const fan = await registerUser();
    for (const method of ['POST', 'DELETE']) {
      const response = await api(method, `/api/profiles/${uniqueName('ghost')}/follow`, { token: fan.token });
      expect(response.status).toBe(404);
      expect(response.body.errors.profile).toEqual(['not found']);
    }
  });

  test('without a token: 401', async () => {
    const celeb = await registerUser();
    for (const method of ['POST', 'DELETE']) {
      const response = await api(method, `/api/profiles/${celeb.username}/follow`);
      expect(response.status).toBe(401);
      expect(response.body.errors).toBeDefined();
    }
  });
});
