import { asc, desc } from 'drizzle-orm';
import { db } from '../core/database';
import { tagsInUse } from './schema/tags.schema';

/** The tags in use, most used first, then alphabetically. */
export async function findPopularTags(limit: number): Promise<string[]> {
  const rows = await db
    .select({ tag: tagsInUse.tag })
    .from(tagsInUse)
    .orderBy(desc(tagsInUse.articleCount), asc(tagsInUse.tag))
    .limit(limit);
  return rows.map((row) => row.tag);
}
