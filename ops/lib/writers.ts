/**
 * Writers and readers for the failover drill. Writers create articles, each with an
 * Idempotency-Key; readers list articles. Every exchange is kept with its outcome and its
 * Retry-After. With `followContract`, a client does what the API asks of a client: a 503 is tried
 * again after its Retry-After, with the same Idempotency-Key (a write is done once however often it
 * is sent), until the request budget is spent; only the final outcome counts then.
 */
import { withSql } from './cli';
import type { Outcome } from './traffic';

export interface Exchange {
  kind: 'write' | 'read';
  outcome: Outcome;
  ok: boolean;
  startedAt: number;
  finishedAt: number;
  retryAfter?: string;
  error?: string;
  /** An attempt was answered 409: the key's earlier attempt was still (or seemingly) in progress. */
  sawInUse?: boolean;
}

const json = { 'content-type': 'application/json' };

export interface ClientOptions {
  writers: number;
  readers: number;
  /** A request's budget: past it, it is a timeout. */
  budgetMs: number;
  /** Following the contract: how long a request may be retried in all. */
  contractBudgetMs: number;
}

/** The longest time between two acknowledged writes in [from, to] (ms), counting from `from`. */
export function longestWithoutWrites(exchanges: Exchange[], from: number, to: number): number {
  const acknowledged = exchanges
    .filter((e) => e.kind === 'write' && e.ok && e.finishedAt >= from && e.finishedAt <= to)
    .map((e) => e.finishedAt)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of [...acknowledged, to]) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return longest;
}

export class ContractClients {
  readonly exchanges: Exchange[] = [];
  readonly acknowledged: string[] = [];
  followContract = false;
  retries = 0;
  /** The longest a request took, retries included. */
  slowestMs = 0;
  private running = false;
  private abandoned = false;
  private loops: Promise<void>[] = [];
  private sequence = 0;
  private readonly run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  private constructor(
    private readonly api: string,
    private readonly token: string,
    private readonly options: ClientOptions,
  ) {}

  /** Registers the account the writers write as. */
  static async create(api: string, options: ClientOptions): Promise<ContractClients> {
    const username = `failover_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const response = await fetch(`${api}/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user: { username, email: `${username}@example.com`, password: 'drill-password' } }),
    });
    if (response.status !== 201)
      throw new Error(`registering at ${api} failed: ${response.status} ${await response.text()}`);
    const { user } = (await response.json()) as { user: { token: string } };
    return new ContractClients(api, user.token, options);
  }

  start(): void {
    this.running = true;
    this.loops = [
      ...Array.from({ length: this.options.writers }, () => this.loop('write')),
      ...Array.from({ length: this.options.readers }, () => this.loop('read')),
    ];
  }

  /** Stops the clients once their requests have ended; `abandon` also ends their retries now (a clean-up). */
  async stop({ abandon = false } = {}): Promise<void> {
    this.running = false;
    this.abandoned ||= abandon;
    await Promise.all(this.loops);
  }

  private async loop(kind: 'write' | 'read'): Promise<void> {
    while (this.running) {
      const exchange = kind === 'write' ? await this.write() : await this.read();
      // Failures come back fast: do not spin.
      if (!exchange.ok) await Bun.sleep(100);
    }
  }

  private write(): Promise<Exchange> {
    const key = `${this.run}-${++this.sequence}`;
    const article = { title: `Failover ${key}`, description: 'd', body: 'written during a failover drill' };
    return this.exchange('write', '/articles', 201, {
      method: 'POST',
      headers: { ...json, authorization: `Token ${this.token}`, 'idempotency-key': key },
      body: JSON.stringify({ article }),
    });
  }

  private read(): Promise<Exchange> {
    return this.exchange('read', '/articles?limit=10', 200, {});
  }

  /** One request, retried on 503 after Retry-After when following the contract, within the budget. */
  private async exchange(kind: Exchange['kind'], path: string, expected: number, init: RequestInit): Promise<Exchange> {
    const startedAt = performance.now();
    const deadline = startedAt + (this.followContract ? this.options.contractBudgetMs : this.options.budgetMs);
    let sawInUse = false;
    while (true) {
      const exchange = await this.once(kind, path, expected, init, startedAt, deadline);
      sawInUse ||= exchange.outcome === 409;
      exchange.sawInUse = sawInUse;
      const retryAfterMs = Number(exchange.retryAfter ?? Number.NaN) * 1000;
      // 503 (the database is unavailable) and 409 (the key's first request is still in progress, or
      // was cut off: its claim is let go after a minute) both come with Retry-After.
      const retryable = exchange.outcome === 503 || exchange.outcome === 409;
      const retry =
        this.followContract &&
        !this.abandoned &&
        retryable &&
        retryAfterMs >= 0 &&
        performance.now() + retryAfterMs < deadline;
      if (!retry) {
        this.slowestMs = Math.max(this.slowestMs, exchange.finishedAt - exchange.startedAt);
        this.exchanges.push(exchange);
        return exchange;
      }
      this.retries++;
      await Bun.sleep(retryAfterMs);
    }
  }

  private async once(
    kind: Exchange['kind'],
    path: string,
    expected: number,
    init: RequestInit,
    startedAt: number,
    deadline: number,
  ): Promise<Exchange> {
    try {
      const response = await fetch(`${this.api}${path}`, {
        ...init,
        signal: AbortSignal.timeout(Math.max(1, deadline - performance.now())),
      });
      const body = (await response.json().catch(() => undefined)) as { article?: { slug: string } } | undefined;
      const ok = response.status === expected;
      if (ok && kind === 'write' && body?.article) this.acknowledged.push(body.article.slug);
      return {
        kind,
        outcome: response.status,
        ok,
        startedAt,
        finishedAt: performance.now(),
        retryAfter: response.headers.get('retry-after') ?? undefined,
      };
    } catch (caught) {
      const error = caught as Error;
      return {
        kind,
        outcome: error.name === 'TimeoutError' ? 'timeout' : 'connection error',
        ok: false,
        startedAt,
        finishedAt: performance.now(),
        error: `${error.name}: ${error.message}`,
      };
    }
  }

  /** Resolves once `count` writes have been acknowledged. */
  async waitForAcknowledged(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.acknowledged.length < count) {
      if (performance.now() > deadline) throw new Error(`fewer than ${count} writes acknowledged in ${timeoutMs} ms`);
      await Bun.sleep(50);
    }
  }

  /** The first acknowledged write sent after `at`, once there is one; undefined after `timeoutMs`. */
  async waitForWriteStartedAfter(at: number, timeoutMs: number): Promise<Exchange | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const first = this.exchanges.find((e) => e.kind === 'write' && e.outcome === 201 && e.startedAt > at);
      if (first) return first;
      await Bun.sleep(50);
    }
    return undefined;
  }

  /** The acknowledged slugs the database at `url` (the primary, through the balancer) does not have. */
  missingOnPrimary(url: string): Promise<string[]> {
    return withSql(url, async (sql) => {
      const rows = await sql<{ slug: string }[]>`select slug from articles where slug = any(${this.acknowledged})`;
      const stored = new Set(rows.map((row) => row.slug));
      return this.acknowledged.filter((slug) => !stored.has(slug));
    });
  }

  /**
   * Writes done twice: articles of this run with the same title (each write has its own title and
   * Idempotency-Key). A commit whose answer was lost with its connection (the primary died between
   * commit and reply) answers 503, and a retry of it is done anew.
   */
  duplicatesOnPrimary(url: string): Promise<number> {
    return withSql(url, async (sql) => {
      const [row] = await sql<{ twice: number }[]>`
        select count(*)::int as twice from (
          select title from articles where title like ${`Failover ${this.run}-%`} group by title having count(*) > 1
        ) doubled`;
      return row?.twice ?? 0;
    });
  }

  /** The acknowledged slugs GET /api/articles/:slug does not answer 200 for. */
  async unreadableThroughApi(): Promise<string[]> {
    const unreadable: string[] = [];
    for (const slug of this.acknowledged) {
      const response = await fetch(`${this.api}/articles/${slug}`);
      await response.arrayBuffer();
      if (response.status !== 200) unreadable.push(slug);
    }
    return unreadable;
  }
}
