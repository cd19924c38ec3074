/**
 * Writing articles. The counts behind `articlesCount` and the tag list are the database's business
 * (triggers, see ./schema/article-counts.schema.ts): nothing here keeps a counter.
 */
import { and, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { TokenClaims } from '../core/auth';
import type { AppDatabase } from '../core/database';
import { violatedUniqueConstraint } from '../core/database-errors';
import { NotFound } from '../core/errors';
import { tags } from '../tags/schema/tags.schema';
import { users } from '../users/schema/users.schema';
import {
  rethrowIfSessionRetired,
  sessionHolds,
  sessionParams,
  sessionPlaceholders,
  sessionUserId,
  type UsersRepository,
} from '../users/users.repository';
import { type ArticleRow, summaryColumns } from './article-reads.repository';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';

/**
 * Adds the tags that `names` (a query of one text column) lists and the database lacks. Written out
 * because Drizzle's insert names every column of the table: this one names only `name`, so that the
 * next release can drop `tags.article_count` (the retired hand-kept count, which keeps its default
 * meanwhile) while this version still serves (docs/migrations.md, "Pending contract steps").
 */
function insertNewTags(names: SQLWrapper): SQL {
  return sql`insert into ${tags} (name) ${names} on conflict do nothing`;
}

/** The given tag names, one row each, from an array of text (one parameter, however many tags). */
function tagNamesIn(list: SQLWrapper): SQL {
  return sql`select unnest(${list}::text[]) as name`;
}

/**
 * Tries the slug candidates in turn until `attempt` writes under one (it answers undefined when the
 * slug is taken): the one way create and update move an article to a free slug.
 */
async function underFirstFreeSlug<Written>(
  slugs: Iterable<string>,
  attempt: (slug: string) => Promise<Written | undefined>,
): Promise<Written> {
  for (const slug of slugs) {
    const written = await attempt(slug);
    if (written !== undefined) return written;
  }
  throw new Error('no free slug among the candidates');
}

/** What an update changes: the content given, the tags when `tagList` is given, the slug when `slugs` is. */
export interface ArticleUpdate {
  changes: Partial<ArticleContent>;
  /** The new tags (normalized), replacing the old. */
  tagList?: string[];
  /** Candidates for a new slug, tried in turn (a new title's). */
  slugs?: Iterable<string>;
}

interface ArticleContent {
  title: string;
  description: string;
  body: string;
}

/*
 * Creating an article is one prepared statement: the article under the slug given (ON CONFLICT DO
 * NOTHING: no row when the slug is taken, also when a parallel request takes it first), the tags new
 * to the database, the article's tag links (the tags arrive as one array parameter, so one statement
 * serves any number), and the article as its author sees it. A statement does not see the rows it
 * writes, so that answer takes its tags from the links written rather than from article_tags.
 */
const given = {
  slug: sql.placeholder('slug'),
  title: sql.placeholder('title'),
  description: sql.placeholder('description'),
  body: sql.placeholder('body'),
};
const givenTagList = sql.placeholder('tagList');
/** Writing articles, on `database` (the primary); `accounts` checks the session of each write. */
export function articleWritesRepository({ db, admit }: AppDatabase, accounts: UsersRepository) {
  const inserted = db.$with('inserted').as(
    db
      .insert(articles)
      // The author is the session's user while the session is good, else NULL, which the column refuses.
      .values({ ...given, authorId: sessionUserId(sessionPlaceholders) })
      .onConflictDoNothing({ target: articles.slug })
      .returning(),
  );
  const givenTags = db
    .$with('given_tags')
    .as(db.select({ tag: sql<string>`tag`.as('tag') }).from(sql`unnest(${givenTagList}::text[]) as given_tags(tag)`));
  const newTags = db.$with('new_tags', { name: tags.name }).as(
    sql`${insertNewTags(
      db
        .select({ name: givenTags.tag })
        .from(givenTags)
        // No tags for an article that was not written (its slug was taken).
        .where(sql`exists (select 1 from ${inserted})`),
    )} returning name`,
  );
  const links = db.$with('links').as(
    db
      .insert(articleTags)
      .select(
        db
          .select({ articleId: inserted.id, tag: givenTags.tag, articleCreatedAt: inserted.createdAt })
          .from(inserted)
          .crossJoin(givenTags),
      )
      .returning({ tag: articleTags.tag }),
  );
  const insertStatement = db
    .with(inserted, givenTags, newTags, links)
    .select({
      // As its author sees it.
      ...summaryColumns(inserted, users, inserted.authorId, {
        tagList: sql<string[]>`array(select ${links.tag} from ${links} order by 1)`,
      }),
      body: inserted.body,
    })
    .from(inserted)
    .innerJoin(users, eq(users.id, inserted.authorId))
    .prepare('insert_article');

  /**
   * Inserts the article by the session's user with its tags under the first free slug of `slugs`, and
   * returns it as its author sees it. 401 when the session is no longer good.
   */
  async function insertArticle(
    session: TokenClaims,
    content: ArticleContent,
    tagList: string[],
    slugs: Iterable<string>,
  ): Promise<ArticleRow> {
    using _operation = await admit('articles.insertArticle', 'primary');
    // Awaited: the operation (`using`) holds its place at the pool gate until this function returns.
    return await underFirstFreeSlug(slugs, async (slug) => {
      const [created] = await insertStatement
        .execute({ ...content, slug, tagList, ...sessionParams(session) })
        .catch((error) => {
          rethrowIfSessionRetired(error, 'author_id');
          throw error;
        });
      // No row: the slug is taken.
      return created;
    });
  }

  /**
   * Applies the update (moving the article to the first free slug of `slugs`, and replacing its tags,
   * when given) in one transaction, for a session. Returns the article's slug; 401 when the session is
   * no longer good, 404 when the article is gone.
   */
  async function updateArticleById(
    session: TokenClaims,
    id: number,
    { changes, tagList, slugs }: ArticleUpdate,
  ): Promise<string> {
    using _operation = await admit('articles.updateArticle', 'primary');
    const whileSessionHolds = sessionHolds(sessionParams(session));
    // Awaited here: the measurement (`using`) ends when this function returns, not when the promise settles.
    const slug = await db.transaction(async (tx) => {
      const update = (runner: Pick<typeof tx, 'update'>, slug?: string) =>
        runner
          .update(articles)
          .set({ ...changes, ...(slug && { slug }), updatedAt: sql`now()` })
          .where(and(eq(articles.id, id), whileSessionHolds))
          .returning({ slug: articles.slug, createdAt: articles.createdAt });

      // With new slugs, a savepoint per attempt: a taken slug fails the UPDATE without failing the
      // transaction. (No row at all, the article gone or the session retired, is an answer too.)
      const [updated] =
        slugs === undefined
          ? await update(tx)
          : await underFirstFreeSlug(slugs, (slug) =>
              tx
                .transaction((savepoint) => update(savepoint, slug))
                .catch((error) => {
                  if (violatedUniqueConstraint(error) === undefined) throw error;
                  return undefined;
                }),
            );
      if (!updated) return undefined;

      if (tagList !== undefined) {
        // The UPDATE above holds the article's row lock, so no other change to its tags interleaves.
        const current = (
          await tx.select({ tag: articleTags.tag }).from(articleTags).where(eq(articleTags.articleId, id))
        ).map((row) => row.tag);
        const removed = current.filter((tag) => !tagList.includes(tag));
        const added = tagList.filter((tag) => !current.includes(tag));
        if (removed.length > 0) {
          await tx.delete(articleTags).where(and(eq(articleTags.articleId, id), inArray(articleTags.tag, removed)));
        }
        if (added.length > 0) {
          await tx.execute(insertNewTags(tagNamesIn(sql.param(added))));
          const articleCreatedAt = updated.createdAt;
          await tx.insert(articleTags).values(added.map((tag) => ({ articleId: id, tag, articleCreatedAt })));
        }
      }
      return updated.slug;
    });
    if (slug !== undefined) return slug;
    // Nothing updated (asked once the transaction is over: the embedded database runs one at a time).
    await accounts.refuseRetiredSession(session);
    // A DELETE of the article committed after this request found it: the loser of that race gets 404.
    throw new NotFound('article');
  }

  /**
   * Deletes the article for a session; 401 when the session is no longer good. Its comments, favorites
   * and tag links go with it (ON DELETE CASCADE); the counts follow by themselves.
   */
  async function deleteArticleById(session: TokenClaims, id: number): Promise<void> {
    using _operation = await admit('articles.deleteArticle', 'primary');
    // Nothing deleted with the session still good: a parallel DELETE won; the article is gone either way.
    await accounts.deleteForSession(session, articles, eq(articles.id, id));
  }

  return { insertArticle, updateArticleById, deleteArticleById };
}

export type ArticleWritesRepository = ReturnType<typeof articleWritesRepository>;
