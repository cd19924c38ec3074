import { and, desc, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { db, primaryDb } from '../core/database';
import { rethrowConstraintViolation, violatedUniqueConstraint } from '../core/database-errors';
import { NotFound, Unauthorized } from '../core/errors';
import { dbOperation } from '../core/metrics';
import { isoTime } from '../core/sql';
import { authorJson } from '../profiles/profiles.repository';
import { follows } from '../profiles/schema/follows.schema';
import { tags } from '../tags/schema/tags.schema';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articleTotals } from './schema/article-totals.schema';
import { articles } from './schema/articles.schema';
import { authorTotals } from './schema/author-totals.schema';
import { favorites } from './schema/favorites.schema';

/** Writes by a user deleted after their token was issued, or on an article deleted meanwhile. */
const GONE = {
  articles_author_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
  favorites_user_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
  favorites_article_id_articles_id_fk: () => new NotFound('article'),
};

/*
 * Reading: PostgreSQL builds the response JSON itself and hands back one text value, which goes
 * to the client untouched. Nothing is parsed into rows and re-serialized in JavaScript, and each
 * statement is prepared once (per filter combination) and then only executed. The viewer is a
 * parameter: 0 for anonymous requests, a user id no row has, so the viewer flags come out false.
 */

const viewer = sql.placeholder('viewer');

/**
 * An article as the viewer sees it (rows of `articles` joined with its author in `users`). Tags,
 * favorite count and the viewer's flags are correlated subqueries, each an index probe, run only
 * for the rows of the page.
 */
function articleJson({ withBody }: { withBody: boolean }): SQL {
  return sql`json_build_object(
    'slug', ${articles.slug},
    'title', ${articles.title},
    'description', ${articles.description},
    ${withBody ? sql`'body', ${articles.body},` : sql``}
    'tagList', array(select ${articleTags.tag} from ${articleTags} where ${articleTags.articleId} = ${articles.id} order by ${articleTags.tag}),
    'createdAt', ${isoTime(articles.createdAt)},
    'updatedAt', ${isoTime(articles.updatedAt)},
    'favorited', exists (select 1 from ${favorites} where ${favorites.userId} = ${viewer} and ${favorites.articleId} = ${articles.id}),
    'favoritesCount', (select count(*)::int from ${favorites} where ${favorites.articleId} = ${articles.id}),
    'author', ${authorJson(viewer, articles.authorId)}
  )`;
}

export interface ArticleFilters {
  tag?: string;
  author?: string;
  favoritedBy?: string;
  /** Only articles by authors this user follows. */
  followedBy?: number;
}

/**
 * The id of the user whose username the placeholder holds, in any letter case as usernames are
 * unique regardless of it (null when there is none).
 */
function userIdNamedBy(placeholder: 'author' | 'favoritedBy'): SQL {
  return sql`(select ${users.id} from ${users} where lower(${users.username}) = lower(${sql.placeholder(placeholder)}))`;
}
const authorId = userIdNamedBy('author');
const favoriterId = userIdNamedBy('favoritedBy');

/**
 * The WHERE clause for the filters in use; their values are placeholders of the same names.
 * (The feed is no WHERE clause: feedPage walks the followed authors, matchCount sums their counters.)
 */
function matching(filters: Omit<ArticleFilters, 'followedBy'>): SQL | undefined {
  return and(
    filters.tag === undefined
      ? undefined
      : inArray(
          articles.id,
          db
            .select({ id: articleTags.articleId })
            .from(articleTags)
            .where(eq(articleTags.tag, sql.placeholder('tag'))),
        ),
    filters.author === undefined ? undefined : eq(articles.authorId, authorId),
    filters.favoritedBy === undefined
      ? undefined
      : inArray(
          articles.id,
          db.select({ id: favorites.articleId }).from(favorites).where(eq(favorites.userId, favoriterId)),
        ),
  );
}

/**
 * How many articles match: a lookup in the counters for the common cases (no filter, one tag, one
 * author, the feed's followed authors), a count over an index for the rest (a favoriter's
 * favorites, combined filters).
 */
function matchCount(filters: ArticleFilters): SQL {
  const inUse = (Object.keys(filters) as (keyof ArticleFilters)[]).filter((name) => filters[name] !== undefined);
  const only = inUse.length === 1 ? inUse[0] : inUse.length === 0 ? 'none' : 'several';
  switch (only) {
    case 'none':
      return sql`coalesce((select ${articleTotals.articles} from ${articleTotals}), 0)`;
    case 'tag':
      return sql`coalesce((select ${tags.articleCount} from ${tags} where ${tags.name} = ${sql.placeholder('tag')}), 0)`;
    case 'author':
      return sql`coalesce((select ${authorTotals.articles} from ${authorTotals} where ${authorTotals.authorId} = ${authorId}), 0)`;
    case 'followedBy':
      return sql`(select coalesce(sum(${authorTotals.articles}), 0)::int from ${follows}
        join ${authorTotals} on ${authorTotals.authorId} = ${follows.followedId}
        where ${follows.followerId} = ${sql.placeholder('followedBy')})`;
    case 'favoritedBy':
      // The favoriter's slice of the favorites index (every favorite has its article).
      return sql`(select count(*)::int from ${favorites} where ${favorites.userId} = ${favoriterId})`;
    default:
      return sql`(select count(*)::int from ${articles} where ${matching(filters)})`;
  }
}

/**
 * A feed page: each followed author's latest `limit + offset` articles (an index range each),
 * merged. Its cost grows with the number of followed authors, never with the number of articles.
 */
function feedPage() {
  const latest = db
    .select({ id: articles.id, createdAt: articles.createdAt })
    .from(articles)
    .where(eq(articles.authorId, follows.followedId))
    .orderBy(desc(articles.createdAt), desc(articles.id))
    .limit(sql.placeholder('window'))
    .as('latest');
  return db
    .select({ id: latest.id, createdAt: latest.createdAt })
    .from(follows)
    .crossJoinLateral(latest)
    .where(eq(follows.followerId, sql.placeholder('followedBy')))
    .orderBy(desc(latest.createdAt), desc(latest.id));
}

/**
 * A ?favorited= page: the favoriter's slice of the favorites index, most recent article first (each
 * favorite holds its article's creation time), so it reads just the page however many articles
 * they have favorited. An author filter, if any, is checked on the way.
 */
function favoritesPage(others: Pick<ArticleFilters, 'author'>) {
  const page = db.select({ id: favorites.articleId, createdAt: favorites.articleCreatedAt }).from(favorites).$dynamic();
  if (others.author !== undefined) page.innerJoin(articles, eq(articles.id, favorites.articleId));
  return page
    .where(and(eq(favorites.userId, favoriterId), matching(others)))
    .orderBy(desc(favorites.articleCreatedAt), desc(favorites.articleId));
}

/** The page's article ids and creation times, most recent first, off the index that fits the filters. */
function pageIds(filters: ArticleFilters) {
  const { tag, followedBy, ...others } = filters;
  if (followedBy !== undefined) return feedPage();
  if (tag !== undefined) {
    // The tag's own index (tag, creation time, id), whatever the tag's size; the other filters, if
    // any, are checked on the way.
    return db
      .select({ id: articleTags.articleId, createdAt: articleTags.articleCreatedAt })
      .from(articleTags)
      .innerJoin(articles, eq(articles.id, articleTags.articleId))
      .where(and(eq(articleTags.tag, sql.placeholder('tag')), matching(others)))
      .orderBy(desc(articleTags.articleCreatedAt), desc(articleTags.articleId));
  }
  const { favoritedBy, ...rest } = others;
  if (favoritedBy !== undefined) return favoritesPage(rest);
  return db
    .select({ id: articles.id, createdAt: articles.createdAt })
    .from(articles)
    .where(matching(others))
    .orderBy(desc(articles.createdAt), desc(articles.id));
}

/**
 * The statement for one list page: pick the page's ids first (most recent first, LIMIT and
 * OFFSET straight off an index), then build only those articles and aggregate them with the
 * total. Aggregating always yields one row, so a page past the end still reports the total.
 */
function articlePageStatement(filters: ArticleFilters) {
  const pageRows = pageIds(filters).limit(sql.placeholder('limit')).offset(sql.placeholder('offset')).as('page');
  return db
    .select({
      json: sql<string>`json_build_object(
        'articles', coalesce(json_agg(${articleJson({ withBody: false })} order by ${pageRows.createdAt} desc, ${pageRows.id} desc), '[]'::json),
        'articlesCount', ${matchCount(filters)}
      )::text`,
    })
    .from(pageRows)
    .leftJoinLateral(pageArticle(pageRows.id), sql`true`)
    .leftJoinLateral(articleAuthor, sql`true`);
}

/*
 * The page's rows are looked up one by one through LATERAL subqueries, which PostgreSQL can only
 * run as index probes per row. A plain join would leave the choice to the planner, and a generic
 * plan (see plan_cache_mode in src/core/connection.ts) cannot know the page holds 20 rows: it
 * guesses a tenth of the table and hashes all of `articles` and `users`, which at 100k articles
 * is hundreds of times slower. (The LIMIT 1 keeps PostgreSQL from flattening the subqueries back
 * into plain joins.) Each subquery is named after its table, so the column references in
 * articleJson and authorJson read from it.
 */
function pageArticle(id: SQLWrapper) {
  return db
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      description: articles.description,
      authorId: articles.authorId,
      createdAt: articles.createdAt,
      updatedAt: articles.updatedAt,
    })
    .from(articles)
    .where(eq(articles.id, id))
    .limit(1)
    .as('articles');
}

const articleAuthor = db
  .select({ id: users.id, username: users.username, bio: users.bio, image: users.image })
  .from(users)
  .where(eq(users.id, articles.authorId))
  .limit(1)
  .as('users');

const pageStatements = new Map<string, ReturnType<ReturnType<typeof articlePageStatement>['prepare']>>();

function filterKey(filters: ArticleFilters): string {
  return (['tag', 'author', 'favoritedBy', 'followedBy'] as const).filter((f) => filters[f] !== undefined).join('+');
}

/** `{"articles": [...], "articlesCount": n}` as JSON text, in one statement. */
export async function articlesPageJson(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
): Promise<string> {
  using _operation = dbOperation('articles.articlesPageJson');
  const key = filterKey(filters);
  let statement = pageStatements.get(key);
  if (!statement) {
    statement = articlePageStatement(filters).prepare(`articles_page_${key.replaceAll('+', '_') || 'all'}`);
    pageStatements.set(key, statement);
  }
  const [row] = await statement.execute({
    ...filters,
    ...page,
    window: page.limit + page.offset,
    viewer: viewerId ?? 0,
  });
  return row?.json ?? '{"articles":[],"articlesCount":0}';
}

/** The list page statement with its parameters, for the benchmark (which runs it under pgbench). */
export function articlesPageSql(
  filters: ArticleFilters,
  page: { limit: number; offset: number },
  viewerId: number | null,
) {
  const { sql: text, params } = articlePageStatement(filters).toSQL();
  const values: Record<string, unknown> = {
    ...filters,
    ...page,
    window: page.limit + page.offset,
    viewer: viewerId ?? 0,
  };
  return { sql: text, params: params.map((param) => (isPlaceholder(param) ? values[param.name] : param)) };
}

function isPlaceholder(value: unknown): value is { name: string } {
  return typeof value === 'object' && value !== null && 'name' in value;
}

function articleStatement(on: typeof db, name: string) {
  return on
    .select({ json: sql<string>`json_build_object('article', ${articleJson({ withBody: true })})::text` })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.authorId))
    .where(eq(articles.slug, sql.placeholder('slug')))
    .prepare(name);
}
const articleFromReplica = articleStatement(db, 'article_by_slug');
const articleFromPrimary = articleStatement(primaryDb, 'article_by_slug_fresh');

/**
 * `{"article": {...}}` as JSON text, or undefined when no article has this slug. `fresh` reads the
 * primary: the answer to a request that just changed the article must show the change.
 */
export async function articleJsonBySlug(
  slug: string,
  viewerId: number | null,
  { fresh = false } = {},
): Promise<string | undefined> {
  using _operation = dbOperation('articles.articleJsonBySlug');
  const statement = fresh ? articleFromPrimary : articleFromReplica;
  const [row] = await statement.execute({ slug, viewer: viewerId ?? 0 });
  return row?.json;
}

/** Just enough to decide who may change an article. */
export async function findArticleOwnership(slug: string) {
  using _operation = dbOperation('articles.findArticleOwnership');
  // From the primary: the author may change or delete an article they created a moment ago.
  const [row] = await primaryDb
    .select({ id: articles.id, authorId: articles.authorId, title: articles.title })
    .from(articles)
    .where(eq(articles.slug, slug));
  return row;
}

interface ArticleContent {
  title: string;
  description: string;
  body: string;
}

/**
 * Inserts the article under the first free slug of `slugs`, with its tags, in one transaction.
 * ON CONFLICT DO NOTHING lets a taken slug fall through to the next candidate without an error,
 * also when parallel requests race for the same one. Returns the slug used.
 */
export async function insertArticle(
  authorId: number,
  content: ArticleContent,
  tagList: string[],
  slugs: Iterable<string>,
): Promise<string> {
  using _operation = dbOperation('articles.insertArticle');
  const insert = db.transaction(async (tx) => {
    for (const slug of slugs) {
      const [inserted] = await tx
        .insert(articles)
        .values({ ...content, slug, authorId })
        .onConflictDoNothing({ target: articles.slug })
        .returning({ id: articles.id, createdAt: articles.createdAt });
      if (!inserted) continue;
      await countArticles(tx, authorId, +1);
      await countTags(
        tx,
        tagList.map((tag) => [tag, +1] as const),
      );
      if (tagList.length > 0) {
        await tx
          .insert(articleTags)
          .values(tagList.map((tag) => ({ articleId: inserted.id, tag, articleCreatedAt: inserted.createdAt })));
      }
      return slug;
    }
    throw new Error('no free slug among the candidates');
  });
  // Awaited here: the measurement (`using`) ends when this function returns, not when the promise settles.
  return await insert.catch((error) => rethrowConstraintViolation(error, GONE));
}

type Transaction = Parameters<Parameters<typeof db.transaction>[0]>[0];

/*
 * The counters are rows that concurrent writers update, so every transaction takes their locks in
 * one order (the article's row, then the total, then the author's count, then tags alphabetically)
 * and none can deadlock.
 */

async function countArticles(tx: Transaction, authorId: number, delta: number): Promise<void> {
  await tx
    .insert(articleTotals)
    .values({ id: true, articles: delta })
    .onConflictDoUpdate({ target: articleTotals.id, set: { articles: sql`${articleTotals.articles} + ${delta}` } });
  await tx
    .insert(authorTotals)
    .values({ authorId, articles: delta })
    .onConflictDoUpdate({ target: authorTotals.authorId, set: { articles: sql`${authorTotals.articles} + ${delta}` } });
}

/**
 * Applies each tag's change to its article count, creating tags on first use, in one statement.
 * Rows go in alphabetical order, which is the order their locks are taken in.
 */
async function countTags(tx: Transaction, changes: readonly (readonly [tag: string, delta: number])[]): Promise<void> {
  if (changes.length === 0) return;
  const sorted = [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await tx
    .insert(tags)
    .values(sorted.map(([name, delta]) => ({ name, articleCount: delta })))
    .onConflictDoUpdate({
      target: tags.name,
      set: { articleCount: sql`${tags.articleCount} + excluded.article_count` },
    });
}

/**
 * Applies the changes (and, when `slugs` is given, moves the article to the first free one) and
 * replaces the tags when `tags` is given, in one transaction. Returns the article's slug.
 */
export async function updateArticle(
  id: number,
  changes: Partial<ArticleContent>,
  tagList: string[] | undefined,
  slugs: Iterable<string> | undefined,
): Promise<string> {
  using _operation = dbOperation('articles.updateArticle');
  // Awaited here: the measurement (`using`) ends when this function returns, not when the promise settles.
  return await db.transaction(async (tx) => {
    const update = (runner: Pick<typeof tx, 'update'>, slug?: string) =>
      runner
        .update(articles)
        .set({ ...changes, ...(slug && { slug }), updatedAt: sql`now()` })
        .where(eq(articles.id, id))
        .returning({ slug: articles.slug, createdAt: articles.createdAt });

    let updated: { slug: string; createdAt: Date } | undefined;
    if (slugs === undefined) {
      [updated] = await update(tx);
    } else {
      let slugFound = false;
      for (const slug of slugs) {
        try {
          // A savepoint per attempt: a taken slug fails the UPDATE without failing the transaction.
          [updated] = await tx.transaction((savepoint) => update(savepoint, slug));
          slugFound = true;
          break;
        } catch (error) {
          if (violatedUniqueConstraint(error) === undefined) throw error;
        }
      }
      if (!slugFound) throw new Error('no free slug among the candidates');
    }
    // No row: a DELETE of the article committed after this request found it. The loser of that race gets 404.
    if (!updated) throw new NotFound('article');

    if (tagList !== undefined) {
      // The UPDATE above holds the article's row lock, so no other change to its tags interleaves.
      const current = (
        await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id))
      ).map((row) => row.tag);
      const removed = current.filter((tag) => !tagList.includes(tag));
      const added = tagList.filter((tag) => !current.includes(tag));
      await countTags(tx, [...added.map((tag) => [tag, +1] as const), ...removed.map((tag) => [tag, -1] as const)]);
      if (removed.length > 0) {
        await tx.delete(articleTags).where(and(eq(articleTags.articleId, id), inArray(articleTags.tag, removed)));
      }
      const articleCreatedAt = updated.createdAt;
      if (added.length > 0) {
        await tx.insert(articleTags).values(added.map((tag) => ({ articleId: id, tag, articleCreatedAt })));
      }
    }
    return updated.slug;
  });
}

/** Its comments, favorites and tag links go with it (ON DELETE CASCADE); the counters go down. */
export async function deleteArticle(id: number): Promise<void> {
  using _operation = dbOperation('articles.deleteArticle');
  await db.transaction(async (tx) => {
    // Lock the article first: a second, concurrent delete waits here and then finds nothing to count.
    const [locked] = await tx
      .select({ authorId: articles.authorId })
      .from(articles)
      .where(eq(articles.id, id))
      .for('update');
    if (!locked) return;
    const tagList = await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id));
    await countArticles(tx, locked.authorId, -1);
    await countTags(
      tx,
      tagList.map(({ tag }) => [tag, -1] as const),
    );
    await tx.delete(articles).where(eq(articles.id, id));
  });
}

/** Idempotent; does nothing when no article has this slug. */
export async function insertFavorite(userId: number, slug: string): Promise<void> {
  using _operation = dbOperation('articles.insertFavorite');
  await db
    .insert(favorites)
    .select(
      db
        .select({
          userId: sql<number>`${userId}::int`.as('user_id'),
          articleId: articles.id,
          createdAt: sql<Date>`now()`.as('created_at'),
          articleCreatedAt: articles.createdAt,
        })
        .from(articles)
        .where(eq(articles.slug, slug)),
    )
    .onConflictDoNothing()
    .catch((error) => rethrowConstraintViolation(error, GONE));
}

export async function deleteFavorite(userId: number, slug: string): Promise<void> {
  using _operation = dbOperation('articles.deleteFavorite');
  await db
    .delete(favorites)
    .where(
      and(
        eq(favorites.userId, userId),
        inArray(favorites.articleId, db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))),
      ),
    );
}
