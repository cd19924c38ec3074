/**
 * Continuous mixed traffic for the drills: reads, registrations, articles, comments and favorites
 * from a few concurrent clients, each request timed and kept, every write the API acknowledged
 * remembered so that the drill can read it back at the end. A request fails when it gets no
 * answer within the budget (a timeout), no answer at all (a connection error), or a status other
 * than the one the request is made to get (every request here is valid, so a 4xx is a failure
 * too: a token the new version refuses, say).
 */

import { withSql } from './cli';
import { histogram } from './harness';

export type Outcome = number | 'connection error' | 'timeout';

export interface Sample {
  /** What was asked, e.g. "POST /api/articles". */
  what: string;
  outcome: Outcome;
  /** performance.now() when it was sent and when it ended. */
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  /** Why a request got no answer (the client's error message). */
  error?: string;
}

export interface Acknowledged {
  users: string[];
  articles: string[];
  comments: number[];
  favorites: { username: string; slug: string }[];
}

interface Account {
  username: string;
  token: string;
}

const json = { 'content-type': 'application/json' };
export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export class MixedTraffic {
  readonly samples: Sample[] = [];
  readonly acknowledged: Acknowledged = { users: [], articles: [], comments: [], favorites: [] };
  private readonly accounts: Account[] = [];
  private running = false;
  private clients: Promise<void>[] = [];
  private sequence = 0;
  private readonly run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  /** `api`: e.g. http://127.0.0.1:8080/api, through the balancer. */
  constructor(
    private readonly api: string,
    private readonly options: { clients: number; budgetMs: number },
  ) {}

  /** A few accounts and articles to start from, made through the API before the clock starts. */
  async seed(): Promise<void> {
    for (let i = 0; i < 4; i++) await this.register();
    for (let i = 0; i < 8; i++) await this.createArticle();
    if (this.accounts.length < 4 || this.acknowledged.articles.length < 8) {
      throw new Error(`seeding through ${this.api} failed: ${JSON.stringify(this.samples.filter((s) => !s.ok))}`);
    }
    this.samples.length = 0;
  }

  start(): void {
    this.running = true;
    this.clients = Array.from({ length: this.options.clients }, () => this.client());
  }

  /** Resolves true once a request sent after `since` has failed, false when none has within `timeoutMs`. */
  async waitForFailure(since: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.samples.some((sample) => !sample.ok && sample.startedAt >= since)) {
      if (performance.now() > deadline) return false;
      await Bun.sleep(50);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }

  private async client(): Promise<void> {
    while (this.running) {
      const roll = Math.random() * 100;
      if (roll < 40) await this.read(`/articles?limit=20`, 'GET /api/articles');
      else if (roll < 50) await this.read(`/articles/${pick(this.acknowledged.articles)}`, 'GET /api/articles/:slug');
      else if (roll < 58) await this.read(`/articles/${pick(this.acknowledged.articles)}/comments`, 'GET comments');
      else if (roll < 63) await this.read('/tags', 'GET /api/tags');
      else if (roll < 70) await this.read('/articles/feed', 'GET /api/articles/feed', pick(this.accounts).token);
      else if (roll < 76) await this.register();
      else if (roll < 86) await this.createArticle();
      else if (roll < 94) await this.comment();
      else await this.favorite();
    }
  }

  /** One request: its sample is kept; resolves with the body when the status is `expected`. */
  private async request(what: string, path: string, expected: number, init: RequestInit = {}): Promise<unknown> {
    const startedAt = performance.now();
    let outcome: Outcome;
    let body: unknown;
    let error: string | undefined;
    try {
      const response = await fetch(`${this.api}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.options.budgetMs),
      });
      body = await response.json().catch(() => undefined);
      outcome = response.status;
    } catch (caught) {
      outcome = (caught as Error).name === 'TimeoutError' ? 'timeout' : 'connection error';
      error = `${(caught as Error).name}: ${(caught as Error).message}`;
    }
    const ok = outcome === expected;
    this.samples.push({ what, outcome, startedAt, finishedAt: performance.now(), ok, error });
    return ok ? body : undefined;
  }

  private read(path: string, what: string, token?: string): Promise<unknown> {
    return this.request(what, path, 200, token ? { headers: { authorization: `Token ${token}` } } : {});
  }

  private write(what: string, path: string, expected: number, payload: unknown): Promise<unknown> {
    const token = pick(this.accounts).token;
    return this.request(what, path, expected, {
      method: 'POST',
      headers: { ...json, authorization: `Token ${token}` },
      body: JSON.stringify(payload),
    });
  }

  private async register(): Promise<void> {
    const username = `drill_${this.run}_${++this.sequence}`;
    const user = { username, email: `${username}@example.com`, password: 'drill-password' };
    const body = (await this.request('POST /api/users', '/users', 201, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user }),
    })) as { user: Account } | undefined;
    if (!body) return;
    this.accounts.push({ username: body.user.username, token: body.user.token });
    this.acknowledged.users.push(body.user.username);
  }

  private async createArticle(): Promise<void> {
    const title = `Drill ${this.run} ${++this.sequence}`;
    const article = { title, description: 'under traffic', body: 'drill '.repeat(40), tagList: ['drill'] };
    const body = (await this.write('POST /api/articles', '/articles', 201, { article })) as
      | { article: { slug: string } }
      | undefined;
    if (body) this.acknowledged.articles.push(body.article.slug);
  }

  private async comment(): Promise<void> {
    const slug = pick(this.acknowledged.articles);
    const body = (await this.write('POST comments', `/articles/${slug}/comments`, 201, {
      comment: { body: `comment ${++this.sequence}` },
    })) as { comment: { id: number } } | undefined;
    if (body) this.acknowledged.comments.push(body.comment.id);
  }

  private async favorite(): Promise<void> {
    const slug = pick(this.acknowledged.articles);
    const account = pick(this.accounts);
    const body = (await this.request('POST favorite', `/articles/${slug}/favorite`, 200, {
      method: 'POST',
      headers: { authorization: `Token ${account.token}` },
    })) as { article: { favorited: boolean } } | undefined;
    if (body?.article.favorited) this.acknowledged.favorites.push({ username: account.username, slug });
  }
}

/** Requests, failures and latency percentiles (ms) over `samples`. */
export function summarize(samples: Sample[]) {
  const durations = samples.map((s) => s.finishedAt - s.startedAt).sort((a, b) => a - b);
  const percentile = (p: number) =>
    durations[Math.min(durations.length - 1, Math.floor((durations.length * p) / 100))] ?? 0;
  const failures = samples.filter((s) => !s.ok);
  const byOutcome = failures.length > 0 ? histogram(failures, (s) => `${s.what} → ${s.outcome}`) : '';
  return { requests: samples.length, failed: failures.length, byOutcome, p50: percentile(50), p99: percentile(99) };
}

/** The samples that started in [from, to). */
export function between(samples: Sample[], from: number, to = Number.POSITIVE_INFINITY): Sample[] {
  return samples.filter((s) => s.startedAt >= from && s.startedAt < to);
}

/** Which acknowledged writes the database at `databaseUrl` does not have (all empty: none lost). */
export function missingWrites(databaseUrl: string, acknowledged: Acknowledged): Promise<Acknowledged> {
  return withSql(databaseUrl, async (sql) => {
    const found = async <Key>(rows: Promise<{ key: Key }[]>) => new Set((await rows).map((row) => row.key));
    const users = await found(sql<{ key: string }[]>`
      select username as key from users where username = any(${acknowledged.users})`);
    const articles = await found(sql<{ key: string }[]>`
      select slug as key from articles where slug = any(${acknowledged.articles})`);
    const comments = await found(sql<{ key: number }[]>`
      select id as key from comments where id = any(${acknowledged.comments})`);
    const favorites = await found(sql<{ key: string }[]>`
      select u.username || ' ' || a.slug as key
      from favorites f join users u on u.id = f.user_id join articles a on a.id = f.article_id
      where u.username = any(${acknowledged.users})`);
    return {
      users: acknowledged.users.filter((username) => !users.has(username)),
      articles: acknowledged.articles.filter((slug) => !articles.has(slug)),
      comments: acknowledged.comments.filter((id) => !comments.has(id)),
      favorites: acknowledged.favorites.filter(({ username, slug }) => !favorites.has(`${username} ${slug}`)),
    };
  });
}
