/**
 * Answers kept in memory, in each process, that the database keeps honest. What is kept is what every
 * viewer shares (the tag list, a list page, an article, its comments, a profile), as the anonymous
 * visitor sees it, serialized once, with its ETag; a signed-in viewer's flags are looked up per
 * request for that answer's rows only (the services do that).
 *
 * Nothing expires on a timer. The database announces every committed change (triggers NOTIFY,
 * drizzle/0020_notify_changes.sql; ./change-feed.ts applies them here), and a change drops the answers
 * that show what it touched. The rules that make "never older than the announcement" hold:
 * - answers are kept and served only while the feed is listening: when its session is lost, everything
 *   is dropped and every read goes to the database until it listens again;
 * - a miss reads the primary (`readFrom`), never a replica, which might not have replayed the change
 *   that caused the miss yet;
 * - an answer read while a change arrived is not kept (the generation moved on), since its statement
 *   may have run before that change committed; concurrent misses of one key share one read only within
 *   one generation.
 * Memory is bounded by lru-cache (the well-kept LRU of the npm ecosystem) with a size cap in bytes.
 */
import { LRUCache } from 'lru-cache';
import type { ReadFrom } from './connection';
import { cacheMetrics } from './metrics';

/** A change the database announced: what kind of thing changed, and which (slugs, lower-case usernames). */
export interface Change {
  kind: 'articles' | 'comments' | 'users' | 'all';
  keys: string[];
  /** When its trigger ran, in ms since the epoch (the writer's clock: the database's). */
  at: number;
}

/**
 * What an answer shows, named by what drops it: an article (its row, tags or favorites) by slug, an
 * article's comments by slug, and `lists`, which any article change drops (list pages and the tag
 * list). Any user's public profile changing drops everything: authors appear in every answer.
 */
export type Scope = `article:${string}` | `comments:${string}` | 'lists';

/** An answer read from the database: its body (as the anonymous visitor sees it) and any headers of its own. */
export interface Read<Value> {
  body: Value;
  headers?: Record<string, string>;
}

/** An answer as kept: the body, its JSON as sent, its ETag, and its own headers. */
export interface Shared<Value> {
  readonly value: Value;
  readonly json: string;
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface Kept {
  shared: Shared<unknown>;
  scopes: readonly Scope[];
}

/** A weak validator of a body: equal bodies, equal tags. */
export function etagOf(text: string): string {
  return `W/"${Bun.hash(text).toString(36)}"`;
}

export function share<Value>({ body, headers = {} }: Read<Value>): Shared<Value> {
  const json = JSON.stringify(body);
  return { value: body, json, etag: etagOf(json), headers };
}

export class ReadCache {
  private readonly entries: LRUCache<string, Kept>;
  private readonly keysByScope = new Map<Scope, Set<string>>();
  private readonly loading = new Map<string, { generation: number; read: Promise<Shared<unknown>> }>();
  /** Moves on with every change applied and every loss of the feed: a read begun before is not kept. */
  private generation = 0;
  private listening = false;

  constructor(private readonly settings: { enabled: boolean; maxBytes: number }) {
    this.entries = new LRUCache<string, Kept>({
      maxSize: settings.maxBytes,
      // The JSON text (two bytes a character) and the value it was made from, about as large again.
      sizeCalculation: (kept, key) => (kept.shared.json.length + key.length) * 4 + 200,
      dispose: (kept, key, reason) => {
        if (reason === 'evict') cacheMetrics.evictions.inc();
        for (const scope of kept.scopes) this.keysByScope.get(scope)?.delete(key);
      },
    });
    cacheMetrics.watch(() => ({ bytes: this.entries.calculatedSize, entries: this.entries.size }));
  }

  /** Answers are kept and served now: the cache is on and its feed is listening. */
  get serving(): boolean {
    return this.settings.enabled && this.listening;
  }

  /** Where a read for an answer that may be kept runs: the primary while answers are kept. */
  get readFrom(): ReadFrom {
    return this.serving ? 'primary' : 'replicas';
  }

  /** The answer under `key`, kept or read by `load` (and then kept, with the scopes that drop it). */
  async remember<Value>(
    key: string,
    scopes: readonly Scope[],
    load: (readFrom: ReadFrom) => Promise<Read<Value>>,
  ): Promise<Shared<Value>> {
    if (!this.serving) return share(await load(this.readFrom));
    const kept = this.entries.get(key);
    if (kept) {
      cacheMetrics.lookups.inc({ result: 'hit' });
      return kept.shared as Shared<Value>;
    }
    cacheMetrics.lookups.inc({ result: 'miss' });
    const generation = this.generation;
    const inFlight = this.loading.get(key);
    if (inFlight?.generation === generation) return inFlight.read as Promise<Shared<Value>>;
    const read = load('primary').then(share);
    this.loading.set(key, { generation, read });
    try {
      const shared = await read;
      if (this.serving && generation === this.generation) this.keep(key, scopes, shared);
      return shared;
    } finally {
      if (this.loading.get(key)?.read === read) this.loading.delete(key);
    }
  }

  private keep(key: string, scopes: readonly Scope[], shared: Shared<unknown>): void {
    this.entries.set(key, { shared, scopes });
    for (const scope of scopes) {
      const keys = this.keysByScope.get(scope) ?? new Set<string>();
      this.keysByScope.set(scope, keys.add(key));
    }
  }

  private announce: ((change: Change) => Promise<void>) | undefined;

  /** How this process's own changes reach the others (./change-feed.ts); without it, the triggers announce them. */
  announceWith(announce: (change: Change) => Promise<void>): void {
    this.announce = announce;
  }

  /**
   * A write of this process has committed (or may have: call it whatever the write's outcome) and
   * touched this: dropped here at once, before the write's answer leaves, and announced to every other
   * process (batched with the writes around it, not waited for: the others' answers are as fresh as
   * the announcement's delivery either way, and a write must not queue behind announcements).
   */
  changed(change: Omit<Change, 'at'> & { at?: number }): void {
    const stamped = { ...change, at: change.at ?? Date.now() };
    this.apply(stamped, 'here');
    void this.announce?.(stamped);
  }

  /** Drops what `change` touched: announced by the database, or made `here`. */
  apply(change: Change, from: 'database' | 'here' = 'database'): void {
    this.generation++;
    if (from === 'database') {
      cacheMetrics.changes.inc({ kind: change.kind });
      cacheMetrics.delay.observe(Math.max(0, Date.now() - change.at) / 1000);
    }
    switch (change.kind) {
      case 'articles':
        this.drop('lists');
        for (const slug of change.keys) this.drop(`article:${slug}`);
        return;
      case 'comments':
        for (const slug of change.keys) this.drop(`comments:${slug}`);
        return;
      default:
        this.entries.clear();
    }
  }

  private drop(scope: Scope): void {
    const keys = this.keysByScope.get(scope);
    if (!keys) return;
    this.keysByScope.delete(scope);
    for (const key of keys) this.entries.delete(key);
  }

  /** The feed listens again: changes may have been missed meanwhile, so nothing kept before is trusted. */
  following(): void {
    this.generation++;
    this.entries.clear();
    this.listening = true;
  }

  /** The feed lost its session: until it listens again, nothing is kept or served. */
  lost(): void {
    this.listening = false;
    this.generation++;
    this.entries.clear();
  }
}
