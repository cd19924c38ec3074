import { asc, desc, gt, sql } from 'drizzle-orm';
import { preparedOn } from '../core/database';
import { dbOperation } from '../core/metrics';
import { tagArticleCounts } from './schema/tag-counts.schema';

/** A tag's article count: the sum of its shards (see ./schema/tag-counts.schema.ts). */
const articleCount = sql<number>`sum(${tagArticleCounts.articles})`;

/** The tags some article carries, most used first, then alphabetically. */
const popularTags = preparedOn((database) =>
  database
    .select({ tag: tagArticleCounts.tag })
    .from(tagArticleCounts)
    .groupBy(tagArticleCounts.tag)
    .having(gt(articleCount, 0))
    .orderBy(desc(articleCount), asc(tagArticleCounts.tag))
    .limit(sql.placeholder('limit'))
    .prepare('popular_tags'),
);

/** From a replica. */
export async function findPopularTags(limit: number): Promise<string[]> {
  using _operation = dbOperation('tags.findPopularTags');
  const rows = await popularTags('replicas').execute({ limit });
  return rows.map((row) => row.tag);
}
