/** Helpers for tests that go through the real HTTP app. */
import { testApp } from './app';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON shapes
  body: any;
}

interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** Sends one request to the app and reads the JSON reply (null for an empty body). */
export async function api(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization ??= `Token ${options.token}`;
  const body =
    options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);

  const { app } = await testApp();
  const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

/** An ISO-8601 UTC timestamp with milliseconds, as every date in the API. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A name no other test (or earlier run on the same database) has used. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestUser {
  username: string;
  email: string;
  password: string;
  token: string;
}

export async function registerUser(overrides: Partial<Omit<TestUser, 'token'>> = {}): Promise<TestUser> {
  const username = overrides.username ?? uniqueName();
  const user = { username, email: `${username}@example.com`, password: 'correct horse', ...overrides };
  const response = await api('POST', '/api/users', { body: { user } });
  if (response.status !== 201) throw new Error(`registration failed: ${JSON.stringify(response.body)}`);
  return { ...user, token: response.body.user.token };
}

export interface ArticleInput {
  title?: string;
  description?: string;
  body?: string;
  tagList?: string[];
}

/** Creates an article as this user and returns it as the API did. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON shapes
export async function createArticle(author: TestUser, article: ArticleInput = {}): Promise<any> {
  const response = await api('POST', '/api/articles', {
    token: author.token,
    body: {
      article: { title: uniqueName('Title '), description: 'A description', body: 'The body', ...article },
    },
  });
  if (response.status !== 201) throw new Error(`article creation failed: ${JSON.stringify(response.body)}`);
  return response.body.article;
}

/** Paging parameters every list refuses with 422, and the field each names (articles, feed, comments). */
export const INVALID_PAGING: [query: string, field: string][] = [
  ['limit=0', 'limit'],
  ['limit=101', 'limit'],
  ['limit=abc', 'limit'],
  ['limit=1.5', 'limit'],
  ['limit=', 'limit'],
  ['offset=-1', 'offset'],
  ['offset=ten', 'offset'],
  ['offset=1000000000', 'offset'],
];
