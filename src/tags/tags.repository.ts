import { asc, desc, gt, sql } from 'drizzle-orm';
import { db, preparedOn } from '../core/database';
import { admitDbOperation } from '../core/metrics';
import { tagArticleCounts } from './schema/tag-counts.schema';

/** The tags some article carries, with how many: the sums of their shards (see ./schema/tag-counts.schema.ts). */
const articleCount = sql<number>`sum(${tagArticleCounts.articles})::int`;
const popular = db
  .select({ tag: tagArticleCounts.tag, articles: articleCount.as('articles') })
  .from(tagArticleCounts)
  .groupBy(tagArticleCounts.tag)
  .having(gt(articleCount, 0))
  .orderBy(desc(articleCount), asc(tagArticleCounts.tag))
  .limit(sql.placeholder('limit'))
  .as('popular');

/** Most used first, then alphabetically, as one array: one value to decode, not a row per tag. */
const popularTags = preparedOn((database) =>
  database
    .select({
      tags: sql<string[]>`coalesce(array_agg(${popular.tag} order by ${popular.articles} desc, ${popular.tag}), '{}')`,
    })
    .from(popular)
    .prepare('popular_tags'),
);

/** From a replica. */
export async function findPopularTags(limit: number): Promise<string[]> {
  using _operation = await admitDbOperation('tags.findPopularTags', 'replicas');
  const [row] = await popularTags('replicas').execute({ limit });
  return row?.tags ?? [];
}
