import { asc, desc, gt, sql } from 'drizzle-orm';
import { db } from '../core/database';
import { dbOperation } from '../core/metrics';
import { tags } from './schema/tags.schema';

/** The tags in use, most used first, then alphabetically: a walk along tags_popular_idx. */
const popular = db
  .select({ name: tags.name })
  .from(tags)
  .where(gt(tags.articleCount, 0))
  .orderBy(desc(tags.articleCount), asc(tags.name))
  .limit(sql.placeholder('limit'))
  .as('popular');

/** `{"tags": [...]}` as JSON text, built by the database from one prepared statement. */
const popularTagsStatement = db
  .select({ json: sql<string>`json_build_object('tags', coalesce(json_agg(${popular.name}), '[]'::json))::text` })
  .from(popular)
  .prepare('popular_tags');

export async function popularTagsJson(limit: number): Promise<string> {
  using _operation = dbOperation('tags.popularTagsJson');
  const [row] = await popularTagsStatement.execute({ limit });
  return row?.json ?? '{"tags":[]}';
}
