import { asc, desc, gt } from 'drizzle-orm';
import { db } from '../core/database';
import { tags } from './schema/tags.schema';

/** The tags in use, most used first, then alphabetically: a walk along tags_popular_idx. */
export async function findPopularTags(limit: number): Promise<string[]> {
  const rows = await db
    .select({ name: tags.name })
    .from(tags)
    .where(gt(tags.articleCount, 0))
    .orderBy(desc(tags.articleCount), asc(tags.name))
    .limit(limit);
  return rows.map((row) => row.name);
}
