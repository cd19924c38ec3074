/**
 * `bun run db:seed`: a small, realistic demo data set (see docs/operations.md for the demo logins), added
 * through the services so it obeys every rule the API does. Safe to rerun: users and articles
 * that already exist are kept as they are, and follows and favorites are idempotent.
 */
import { openApp, type Services } from './app';
import { slugify } from './articles/articles.slug';
import type { TokenClaims } from './core/auth';
import { loadSettings } from './core/config';
import { NotFound } from './core/errors';
import { sessionOf } from './users/users.service';

export const DEMO_PASSWORD = 'conduit-demo';

const PEOPLE = [
  { username: 'jake', bio: 'I work at State Farm.', image: 'https://api.realworld.io/images/smiley-cyrus.jpeg' },
  { username: 'ada', bio: 'Analytical engines and other machines.', image: null },
  { username: 'linus', bio: 'Kernels, version control, strong opinions.', image: null },
  { username: 'grace', bio: 'Compilers, and finding the bug.', image: null },
  { username: 'margaret', bio: 'Software engineering, before it had a name.', image: null },
] as const;

type Username = (typeof PEOPLE)[number]['username'];

const ARTICLES: { author: Username; title: string; description: string; body: string; tags: string[] }[] = [
  {
    author: 'jake',
    title: 'How to train your dragon',
    description: 'Ever wonder how?',
    body: 'It takes a Jacobian. Start small, stay patient, and always bring snacks.',
    tags: ['dragons', 'training'],
  },
  {
    author: 'jake',
    title: 'Why Bun starts so fast',
    description: 'A look at startup time',
    body: 'Bun is written in Zig and uses JavaScriptCore, which starts quickly and keeps memory low.',
    tags: ['bun', 'performance'],
  },
  {
    author: 'ada',
    title: 'Notes on the analytical engine',
    description: 'Machines that compute more than numbers',
    body: 'The engine might act upon other things besides number, were objects found whose relations could be expressed.',
    tags: ['history', 'computing'],
  },
  {
    author: 'ada',
    title: 'Loops before there were loops',
    description: 'Repeating a set of operations',
    body: 'A cycle of operations, repeated n times, is a loop by any other name.',
    tags: ['computing', 'algorithms'],
  },
  {
    author: 'linus',
    title: 'Talk is cheap, show me the code',
    description: 'On reviews and patches',
    body: 'Good patches explain why. The code shows what; the message must carry the reason.',
    tags: ['git', 'open-source'],
  },
  {
    author: 'linus',
    title: 'Indexes are not magic',
    description: 'What the planner actually does',
    body: 'An index helps when it lets the database read less. EXPLAIN tells you whether it does.',
    tags: ['postgres', 'performance'],
  },
  {
    author: 'grace',
    title: 'The first actual bug',
    description: 'A moth in relay 70',
    body: 'First actual case of bug being found. Debugging has had a name ever since.',
    tags: ['history', 'debugging'],
  },
  {
    author: 'grace',
    title: "It's easier to ask forgiveness",
    description: 'than it is to get permission',
    body: 'Ship something small, measure it, and improve it. Permission rarely comes on its own.',
    tags: ['culture'],
  },
  {
    author: 'margaret',
    title: 'Software engineering is engineering',
    description: 'Rigor for programs that must not fail',
    body: 'When the software has to land on the moon, error handling is not an afterthought.',
    tags: ['engineering', 'reliability'],
  },
  {
    author: 'margaret',
    title: 'Priority displays',
    description: 'Designing for overload',
    body: 'When the computer is overloaded it must shed work gracefully and keep doing what matters most.',
    tags: ['reliability', 'performance'],
  },
];

const FOLLOWS: [Username, Username][] = [
  ['jake', 'ada'],
  ['jake', 'grace'],
  ['ada', 'margaret'],
  ['linus', 'grace'],
  ['grace', 'margaret'],
  ['margaret', 'ada'],
];

const FAVORITES: [Username, string][] = [
  ['ada', 'How to train your dragon'],
  ['grace', 'How to train your dragon'],
  ['jake', 'Indexes are not magic'],
  ['margaret', 'Indexes are not magic'],
  ['linus', 'Notes on the analytical engine'],
  ['jake', 'The first actual bug'],
  ['ada', 'Priority displays'],
];

const COMMENTS: [Username, string, string][] = [
  ['ada', 'How to train your dragon', 'Does this work for analytical dragons as well?'],
  ['linus', 'Why Bun starts so fast', 'Show me the benchmark.'],
  ['jake', 'Why Bun starts so fast', 'It is in BENCHMARKS.md.'],
  ['margaret', 'The first actual bug', 'And it was logged properly, too.'],
  ['grace', 'Indexes are not magic', 'EXPLAIN ANALYZE is my favorite debugger.'],
];

function email(username: string): string {
  return `${username}@conduit.demo`;
}

/**
 * A session of the demo user, creating their account first when their credentials open none. (A
 * session without a token: the seed signs none, so it needs no JWT_SECRET.)
 */
async function ensureUser({ users }: Services, person: (typeof PEOPLE)[number]): Promise<TokenClaims> {
  const credentials = { email: email(person.username), password: DEMO_PASSWORD };
  try {
    return sessionOf(await users.checkCredentials(credentials));
  } catch {
    const { id } = await users.createAccount({ username: person.username, ...credentials });
    return sessionOf(await users.changeAccount({ userId: id }, { bio: person.bio, image: person.image }));
  }
}

async function articleExists({ articles }: Services, slug: string): Promise<boolean> {
  try {
    await articles.getArticle(slug, null);
    return true;
  } catch (error) {
    if (error instanceof NotFound) return false;
    throw error;
  }
}

/** Adds the demo data through `services` (createServices in src/app.ts), telling `progress` each step. */
export async function seed(services: Services, progress: (message: string) => void = () => {}): Promise<void> {
  const { articles, profiles, comments } = services;
  const sessions = new Map<Username, TokenClaims>();
  for (const person of PEOPLE) {
    sessions.set(person.username, await ensureUser(services, person));
    progress(`user ${person.username}`);
  }
  const as = (username: Username) => sessions.get(username) as TokenClaims;

  const created = new Set<string>();
  for (const article of ARTICLES) {
    const slug = slugify(article.title);
    if (!(await articleExists(services, slug))) {
      const { author, title, description, body, tags } = article;
      await articles.createArticle(as(author), { title, description, body, tagList: tags });
      created.add(title);
    }
    progress(`article "${article.title}"`);
  }
  for (const [follower, followed] of FOLLOWS) await profiles.follow(followed, as(follower));
  progress(`${FOLLOWS.length} follows`);
  for (const [fan, title] of FAVORITES) await articles.favorite(slugify(title), as(fan));
  progress(`${FAVORITES.length} favorites`);
  // Comments are only added with their article, so a rerun does not repeat them.
  const newComments = COMMENTS.filter(([, title]) => created.has(title));
  for (const [author, title, body] of newComments) await comments.addComment(slugify(title), as(author), body);
  progress(`${newComments.length} comments`);
}

/** `bun run db:seed`: the app over DATABASE_URL's database (or the embedded one), then the data through its services. */
export async function main(): Promise<void> {
  const settings = loadSettings();
  const { database, services } = await openApp(settings);
  try {
    console.log(`Seeding ${database.target} ...`);
    let step = 0;
    await seed(services, (message) => console.log(`  [${++step}] ${message}`));
    console.log(
      `Done. Log in as any of ${PEOPLE.map((p) => email(p.username)).join(', ')} with the password "${DEMO_PASSWORD}".`,
    );
  } finally {
    await database.close();
  }
}

if (import.meta.main) await main();
