import { asc, desc, gt, sql } from 'drizzle-orm';
import type { ReadFrom } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { query } from '../core/sql';
import { tagArticleCounts } from './schema/tag-counts.schema';

/** The tags some article carries, with how many: the sums of their shards (see ./schema/tag-counts.schema.ts). */
const articleCount = sql<number>`sum(${tagArticleCounts.articles})::int`;
const popular = query
  .select({ tag: tagArticleCounts.tag, articles: articleCount.as('articles') })
  .from(tagArticleCounts)
  .groupBy(tagArticleCounts.tag)
  .having(gt(articleCount, 0))
  .orderBy(desc(articleCount), asc(tagArticleCounts.tag))
  .limit(sql.placeholder('limit'))
  .as('popular');

/** The tag list, on `database`. */
export function tagsRepository({ preparedOn, admit }: AppDatabase) {
  /** Most used first, then alphabetically, as one array: one value to decode, not a row per tag. */
  const popularTags = preparedOn((database) =>
    database
      .select({
        tags: sql<
          string[]
        >`coalesce(array_agg(${popular.tag} order by ${popular.articles} desc, ${popular.tag}), '{}')`,
      })
      .from(popular)
      .prepare('popular_tags'),
  );

  async function findPopularTags(limit: number, { readFrom }: { readFrom: ReadFrom }): Promise<string[]> {
    using _operation = await admit('tags.findPopularTags', readFrom);
    const [row] = await popularTags(readFrom).execute({ limit });
    return row?.tags ?? [];
  }

  return { findPopularTags };
}

export type TagsRepository = ReturnType<typeof tagsRepository>;
