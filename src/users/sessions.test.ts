/**
 * A password change racing another session of the same user. Changing the password ends every other
 * session: no request those sessions sent before the change may obtain a token or write after it,
 * however the two interleave. (The race needs a server with a pool: on the embedded database, one
 * connection runs one statement at a time, and this test passes either way. CI runs it on both.)
 */
import { describe, expect, test } from 'bun:test';
import { auth, ok, registerUser, type TestUser, testClient } from '../test/api';

const client = await testClient();

async function logIn(user: TestUser): Promise<string> {
  const response = await client.api.users.login.post({ user: { email: user.email, password: user.password } });
  return ok(response).user.token;
}

/** Session B's requests, sent back to back by a few clients until `stop()` says the change is done. */
function keepBusy(token: string, clients: number) {
  let stopped = false;
  const tokensReceived: string[] = [];
  const writesAccepted: string[] = [];
  const session = async (id: number) => {
    for (let i = 0; !stopped; i++) {
      // The embedded database answers within the same turn of the event loop: give timers theirs.
      await new Promise((resolve) => setImmediate(resolve));
      const read = await client.api.user.get(auth(token));
      if (read.data) tokensReceived.push(read.data.user.token);
      const bio = `written by session B (${id}.${i})`;
      const write = await client.api.user.put({ user: { bio } }, auth(token));
      if (write.data) {
        writesAccepted.push(bio);
        tokensReceived.push(write.data.user.token);
      }
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, id) => session(id)));
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

      const change = await client.api.user.put(
        { user: { password: 'a brand new password', bio: 'written by the change' } },
        auth(user.token),
      );
      await busy.stop();

      expect(change.status).toBe(200);
      expect(busy.writesAccepted.length).toBeGreaterThan(0);
      for (const token of new Set(busy.tokensReceived)) {
        expect((await client.api.user.get(auth(token))).status).toBe(401);
      }
      // A write of session B's that committed after the change would have replaced this bio.
      const now = await client.api.user.get(auth(ok(change).user.token));
      expect(now.data?.user.bio).toBe('written by the change');
    }
  });
});
