/**
 * The pool gate: how many operations hold a connection, who waits, who is refused. The whole story on
 * a real locked table is in ops/system/locked-table.test.ts.
 */
import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser } from '../test/api';
import { type Kind, type Place, PoolGate, PoolRefusal, STALL_MS } from './pool-gate';

/** Takes a place for `kind` if there is one now, as an operation `admittedAgoMs` ago (a stuck one: long ago). */
function take(gate: PoolGate, kind: Kind, admittedAgoMs = 0): Place | undefined {
  if (!gate.tryEnter(kind)) return undefined;
  const place: Place = { kind, admittedAt: performance.now() - admittedAgoMs, older: undefined, newer: undefined };
  gate.admitted(place);
  return place;
}

/** What became of a wait: admitted, or refused and why. */
function outcome(wait: Promise<void>): Promise<string> {
  return wait.then(
    () => 'admitted',
    (error) => (error instanceof PoolRefusal ? `refused: ${error.reason}` : `failed: ${error}`),
  );
}

describe('the pool gate', () => {
  test('a kind that is not flowing holds at most half of the connections; other kinds take the rest', () => {
    const gate = new PoolGate(4, 1000);
    const stuck = gate.kind('articles.findArticle');
    const other = gate.kind('users.findSessionUser');

    expect([take(gate, stuck), take(gate, stuck), take(gate, stuck)].map(Boolean)).toEqual([true, true, false]);
    expect([take(gate, other), take(gate, other), take(gate, other)].map(Boolean)).toEqual([true, true, false]);
    expect(gate.inUse).toBe(4);

    const unshared = new PoolGate(4, 1000, 100); // DB_POOL_SHARE=100
    const alone = unshared.kind('articles.findArticle');
    expect([1, 2, 3, 4].map(() => Boolean(take(unshared, alone)))).toEqual([true, true, true, true]);
  });

  test('while nothing is stuck, operations share connections (pipelined); once one is stuck, each needs its own', () => {
    const gate = new PoolGate(2, 1000);
    const places = ['a', 'b', 'c', 'd', 'e'].map((name) => take(gate, gate.kind(name)));
    expect(places.map(Boolean)).toEqual([true, true, true, true, true]);
    expect(gate.queuedOnConnections).toBe(3);

    const stuckGate = new PoolGate(2, 1000);
    take(stuckGate, stuckGate.kind('locked'), STALL_MS * 10);
    expect(Boolean(take(stuckGate, stuckGate.kind('b')))).toBe(true); // the idle connection
    expect(Boolean(take(stuckGate, stuckGate.kind('c')))).toBe(false); // would queue behind one
  });

  test('a kind whose operations keep finishing quickly may go beyond its half', () => {
    const gate = new PoolGate(4, 1000);
    const busy = gate.kind('articles.findArticlePage');
    const first = take(gate, busy) as Place;
    take(gate, busy);
    expect(Boolean(take(gate, busy))).toBe(false);

    gate.leave(first, performance.now()); // finished quickly: the kind flows

    expect([take(gate, busy), take(gate, busy), take(gate, busy)].map(Boolean)).toEqual([true, true, true]);
  });

  test('a released place goes to the oldest waiter that may take it', async () => {
    const gate = new PoolGate(2, 1000, 50, 1);
    const a = gate.kind('a');
    const b = gate.kind('b');
    take(gate, a, STALL_MS * 10);
    const placeB = take(gate, b, STALL_MS * 10) as Place;
    const order: string[] = [];
    const waitingA = gate.enter(a).then(() => order.push('a'));
    const waitingB = gate.enter(b).then(() => order.push('b'));

    gate.leave(placeB, performance.now()); // a waits first, but holds its half: b's own waiter takes it
    await waitingB;

    expect(order).toEqual(['b']);
    expect(gate.waiting).toHaveLength(1);
    gate.close();
    await waitingA.catch(() => {});
  });

  test('a wait ends after waitMs: with no place free the instance is saturated; at its share only, it is not', async () => {
    const atShare = new PoolGate(4, 20);
    const kind = atShare.kind('stuck');
    take(atShare, kind, STALL_MS * 10);
    take(atShare, kind, STALL_MS * 10);
    expect(await outcome(atShare.enter(kind))).toBe('refused: share');
    expect(atShare.saturated).toBe(false);

    const full = new PoolGate(1, 20);
    take(full, full.kind('stuck'), STALL_MS * 10);
    expect(full.saturated).toBe(false);
    expect(await outcome(full.enter(full.kind('other')))).toBe('refused: full');
    expect(full.saturated).toBe(true);
  });

  test('closed for a shutdown: waiters are refused at once, newcomers too', async () => {
    const gate = new PoolGate(1, 60_000, 50, 1);
    const kind = gate.kind('k');
    take(gate, kind);
    const waiting = outcome(gate.enter(kind));

    gate.close();

    expect(await waiting).toBe('refused: closed');
    expect(() => gate.tryEnter(kind)).toThrow(PoolRefusal);
    expect(new PoolRefusal('closed')).toMatchObject({ status: 503, retryAfterSeconds: 2 });
    expect(new PoolRefusal('full')).toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
      fields: { database: ['is busy, please retry shortly'] },
    });
  });
});

describe('through the app', () => {
  test('a burst of requests larger than the pool (the embedded database: one connection) waits its turn: all 200', async () => {
    const author = await registerUser();
    const article = await createArticle(author);

    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api('GET', i % 2 ? `/api/articles/${article.slug}` : '/api/articles', { token: author.token }),
      ),
    );

    expect(statuses.map((response) => response.status)).toEqual(Array(40).fill(200));
    expect((await api('GET', '/ready')).status).toBe(200);
  });
});
