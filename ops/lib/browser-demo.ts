/**
 * The demo data RealWorld's browser specs expect of an API in their `spa` mode (the public demo
 * backend's): the users johndoe and janedoe (password `password123`, `<name>@example.com`) with a
 * few tagged articles and comments. Created through the HTTP API, as any client would, so the run
 * also checks that registering, writing and commenting work before a browser is involved.
 */
import { apiClient, register } from './api';

interface DemoUser {
  username: string;
  bio: string;
  /** A picture the app itself serves (nothing may load from another host: there is no internet). */
  picture: string;
}

const PASSWORD = 'password123';

const USERS: DemoUser[] = [
  { username: 'johndoe', bio: 'Writes about the web.', picture: '/assets/default-avatar.svg' },
  { username: 'janedoe', bio: 'Reads everything twice.', picture: '/assets/realworld-logo.svg' },
];

/** Articles, oldest first: the global feed shows the last one on top. */
const ARTICLES = [
  {
    author: 'janedoe',
    title: 'How to train your dragon',
    description: 'Ever wonder how?',
    body: 'It takes a **Jacobian**, and patience.\n\n- feed it\n- fly it',
    tagList: ['dragons', 'training'],
  },
  {
    author: 'johndoe',
    title: 'Welcome to RealWorld',
    description: 'Exemplary fullstack Medium.com clone powered by any front end and any back end.',
    body: 'See how the exact same blog is built with **React, Angular, Vue** and more.',
    tagList: ['welcome', 'realworld', 'introduction'],
  },
  {
    author: 'janedoe',
    title: 'Markdown in articles',
    description: 'Headings, lists and code',
    body: '# A heading\n\nSome `code` and a [link](https://realworld.show).',
    tagList: ['markdown', 'realworld'],
  },
  {
    author: 'johndoe',
    title: 'Getting started with Conduit',
    description: 'Sign up, follow people, favorite articles.',
    body: 'Conduit is a social blogging site: write articles, follow authors, comment.',
    tagList: ['introduction', 'conduit'],
  },
];

/** Comments by one user on another's article, in the order they are written. */
const COMMENTS = [
  { author: 'janedoe', on: 'Welcome to RealWorld', body: 'Great introduction, thanks!' },
  { author: 'johndoe', on: 'How to train your dragon', body: 'Mine still will not fly.' },
  { author: 'janedoe', on: 'Getting started with Conduit', body: 'Following you for more of these.' },
  { author: 'johndoe', on: 'Markdown in articles', body: 'Tables next, please.' },
];

/**
 * Creates the demo users, articles, follows, favorites and comments through the API at `appOrigin`/api
 * (the origin the browser uses, so the users' pictures load from it).
 */
export async function createDemoData(
  appOrigin: string,
): Promise<{ users: number; articles: number; comments: number }> {
  const api = apiClient(`${appOrigin}/api`);
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const answer = await api(method, path, body, token);
    if (answer.status >= 300)
      throw new Error(
        `demo data: ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`,
      );
    return answer.body;
  };

  const tokens = new Map<string, string>();
  for (const { username, bio, picture } of USERS) {
    const token = await register(api, username, PASSWORD);
    await call('PUT', '/user', { user: { bio, image: `${appOrigin}${picture}` } }, token);
    tokens.set(username, token);
  }
  const tokenOf = (username: string) => tokens.get(username) as string;

  const slugs = new Map<string, string>();
  for (const { author, ...article } of ARTICLES) {
    const created = await call('POST', '/articles', { article }, tokenOf(author));
    slugs.set(article.title, created.article.slug);
  }
  const slugOf = (title: string) => slugs.get(title) as string;

  await call('POST', '/profiles/johndoe/follow', undefined, tokenOf('janedoe'));
  await call('POST', `/articles/${slugOf('Welcome to RealWorld')}/favorite`, undefined, tokenOf('janedoe'));
  await call('POST', `/articles/${slugOf('How to train your dragon')}/favorite`, undefined, tokenOf('johndoe'));
  for (const { author, on, body } of COMMENTS) {
    await call('POST', `/articles/${slugOf(on)}/comments`, { comment: { body } }, tokenOf(author));
  }
  return { users: USERS.length, articles: ARTICLES.length, comments: COMMENTS.length };
}
