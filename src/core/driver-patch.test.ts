/**
 * postgres.js 3.4.9's internal queue (patches/postgres@3.4.9.patch) kept every entry it had ever
 * shifted while the queue never drained, and searched all of them on each removal: under steady load
 * a server's CPU per query grew with the queries it had run (a single-article read fell from 11.7k to
 * 6.9k req/s within a few minutes). These check the patched queue directly.
 */
import { describe, expect, test } from 'bun:test';
// Not an exported path of the package: the file Bun runs (its "bun" export is src/index.js).
// @ts-expect-error postgres.js ships no types for its internal modules
import Queue from '../../node_modules/postgres/src/queue.js';

interface DriverQueue<T> {
  length: number;
  push(x: T): T;
  shift(): T | undefined;
  remove(x: T): T | null;
}

describe("postgres.js's queue (patched)", () => {
  test('under steady traffic that never drains it, a removal searches only what is queued', () => {
    const queue = Queue() as DriverQueue<object>;
    queue.push({});
    for (let i = 0; i < 100_000; i++) {
      queue.push({});
      queue.shift();
    }
    const last = queue.push({});

    // Count the entries indexOf walks over when the queue removes `last`.
    const indexOf = Array.prototype.indexOf;
    let searched = 0;
    Array.prototype.indexOf = function (this: unknown[], value: unknown, from?: number) {
      if (value === last) searched = this.length - (from ?? 0);
      return indexOf.call(this, value, from);
    };
    try {
      expect(queue.remove(last)).toBe(last);
    } finally {
      Array.prototype.indexOf = indexOf;
    }
    expect(searched).toBeLessThan(2_100);
    expect(queue.length).toBe(1);
  });

  test('it still hands entries out in order, across compactions', () => {
    const queue = Queue() as DriverQueue<number>;
    const out: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      queue.push(i);
      if (i % 3 !== 0) out.push(queue.shift() as number);
    }
    while (queue.length > 0) out.push(queue.shift() as number);

    expect(out).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });
});
