/**
 * A password change racing another session of the same user. Changing the password ends every other
 * session: no request those sessions sent before the change may obtain a token or write after it,
 * however the two interleave. (The race needs a server with a pool: on the embedded database, one
 * connection runs one statement at a time, and this test passes either way. CI runs it on both.)
 */
import { describe, expect, test } from 'bun:test';
import { api, registerUser, type TestUser } from '../test/api';

async function logIn(user: TestUser): Promise<string> {
  const response = await api('POST', '/api/users/login', {
    body: { user: { email: user.email, password: user.password } },
  });
  return response.body.user.token;
}

/** Session B's requests, sent back to back by a few clients until `stop()` says the change is done. */
function keepBusy(token: string, clients: number) {
  let stopped = false;
  const tokensReceived: string[] = [];
  const writesAccepted: string[] = [];
  const client = async (id: number) => {
    for (let i = 0; !stopped; i++) {
      // The embedded database answers within the same turn of the event loop: give timers theirs.
      await new Promise((resolve) => setImmediate(resolve));
      const read = await api('GET', '/api/user', { token });
      if (read.status === 200) tokensReceived.push(read.body.user.token);
      const bio = `written by session B (${id}.${i})`;
      const write = await api('PUT', '/api/user', { token, body: { user: { bio } } });
      if (write.status === 200) {
        writesAccepted.push(bio);
        tokensReceived.push(write.body.user.token);
      }
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
  return {
    tokensReceived,
    writesAccepted,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

describe('a password change while another session is busy', () => {
  test('every token that session received stops working, and none of its writes lands after the change', async () => {
    for (let round = 0; round < 6; round++) {
      const user = await registerUser();
      const sessionB = await logIn(user);
      const busy = keepBusy(sessionB, 4);
      // Let session B get going, so that the change lands among its requests.
      while (busy.tokensReceived.length < 4) await Bun.sleep(1);

      const change = await api('PUT', '/api/user', {
        token: user.token,
        body: { user: { password: 'a brand new password', bio: 'written by the change' } },
      });
      await busy.stop();

      expect(change.status).toBe(200);
      expect(busy.writesAccepted.length).toBeGreaterThan(0);
      for (const token of new Set(busy.tokensReceived)) {
        expect((await api('GET', '/api/user', { token })).status).toBe(401);
      }
      // A write of session B's that committed after the change would have replaced this bio.
      const now = await api('GET', '/api/user', { token: change.body.user.token });
      expect(now.body.user.bio).toBe('written by the change');
    }
  });
});
