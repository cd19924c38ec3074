-- Custom SQL migration file, put your code below! --
-- Written with drizzle-kit generate --custom: the triggers that keep the counts of 0016 (what they
-- are for: src/articles/schema/article-counts.schema.ts), and the counts of the rows already there.
-- Creating the triggers locks out writes to articles and article_tags (not reads) until this
-- migration commits, so no write falls between the triggers and the counting below.

-- The shard a writing transaction adds to: one that no concurrent transaction holds. The first call
-- in a transaction tries the 16 shards' advisory locks, starting from one picked by its backend, and
-- keeps the first it gets until commit; later calls in the transaction reuse it (a transaction-local
-- setting), so a transaction holds one shard and transactions never wait on each other's counter
-- rows, nor deadlock on them. Only when 16 writers are in flight does the 17th wait for a shard.
CREATE FUNCTION "count_shard"() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  held text := current_setting('conduit.count_shard', true);
  start integer := pg_backend_pid() % 16;
  candidate integer;
BEGIN
  IF held IS NOT NULL AND held <> '' THEN
    RETURN held::integer;
  END IF;
  FOR step IN 0..15 LOOP
    candidate := (start + step) % 16;
    IF pg_try_advisory_xact_lock(hashtext('conduit:count_shard'), candidate) THEN
      PERFORM set_config('conduit.count_shard', candidate::text, true);
      RETURN candidate;
    END IF;
  END LOOP;
  PERFORM pg_advisory_xact_lock(hashtext('conduit:count_shard'), start);
  PERFORM set_config('conduit.count_shard', start::text, true);
  RETURN start;
END
$$;
--> statement-breakpoint
-- Statement-level: one upsert per statement however many rows it touched (a bulk load, or a deleted
-- user's articles going with them). An UPDATE counts only if it moved an article to another author.
CREATE FUNCTION "count_articles"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added integer[] := '{}';
  removed integer[] := '{}';
  my_shard integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    added := array(SELECT "author_id" FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    removed := array(SELECT "author_id" FROM old_rows);
  ELSE
    -- What the UPDATE changed, as two multisets: edits that keep the author change no count.
    added := array(SELECT "author_id" FROM new_rows EXCEPT ALL SELECT "author_id" FROM old_rows);
    removed := array(SELECT "author_id" FROM old_rows EXCEPT ALL SELECT "author_id" FROM new_rows);
  END IF;
  IF cardinality(added) = 0 AND cardinality(removed) = 0 THEN
    RETURN NULL;
  END IF;
  my_shard := count_shard();
  IF cardinality(added) <> cardinality(removed) THEN
    INSERT INTO "article_counts" ("shard", "articles") VALUES (my_shard, cardinality(added) - cardinality(removed))
    ON CONFLICT ("shard") DO UPDATE SET "articles" = "article_counts"."articles" + excluded."articles";
  END IF;
  INSERT INTO "author_article_counts" ("author_id", "shard", "articles")
  SELECT "author_id", my_shard, sum("delta")::int
  FROM (SELECT unnest(added), 1 UNION ALL SELECT unnest(removed), -1) AS changes("author_id", "delta")
  GROUP BY "author_id" HAVING sum("delta") <> 0
  ON CONFLICT ("author_id", "shard") DO UPDATE SET "articles" = "author_article_counts"."articles" + excluded."articles";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "count_tagged_articles"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added text[] := '{}';
  removed text[] := '{}';
  my_shard integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    added := array(SELECT "tag" FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    removed := array(SELECT "tag" FROM old_rows);
  ELSE
    -- What the UPDATE changed, as two multisets: edits that keep the tag change no count.
    added := array(SELECT "tag" FROM new_rows EXCEPT ALL SELECT "tag" FROM old_rows);
    removed := array(SELECT "tag" FROM old_rows EXCEPT ALL SELECT "tag" FROM new_rows);
  END IF;
  IF cardinality(added) = 0 AND cardinality(removed) = 0 THEN
    RETURN NULL;
  END IF;
  my_shard := count_shard();
  INSERT INTO "tag_article_counts" ("tag", "shard", "articles")
  SELECT "tag", my_shard, sum("delta")::int
  FROM (SELECT unnest(added), 1 UNION ALL SELECT unnest(removed), -1) AS changes("tag", "delta")
  GROUP BY "tag" HAVING sum("delta") <> 0
  ON CONFLICT ("tag", "shard") DO UPDATE SET "articles" = "tag_article_counts"."articles" + excluded."articles";
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- TRUNCATE empties the counted tables without row events: empty the counts with them.
CREATE FUNCTION "forget_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'articles' THEN
    DELETE FROM "article_counts";
    DELETE FROM "author_article_counts";
  ELSE
    DELETE FROM "tag_article_counts";
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "articles_counted_insert" AFTER INSERT ON "articles" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_articles();
--> statement-breakpoint
CREATE TRIGGER "articles_counted_update" AFTER UPDATE ON "articles" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_articles();
--> statement-breakpoint
CREATE TRIGGER "articles_counted_delete" AFTER DELETE ON "articles" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_articles();
--> statement-breakpoint
CREATE TRIGGER "articles_counted_truncate" AFTER TRUNCATE ON "articles"
FOR EACH STATEMENT EXECUTE FUNCTION forget_counts();
--> statement-breakpoint
CREATE TRIGGER "article_tags_counted_insert" AFTER INSERT ON "article_tags" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_tagged_articles();
--> statement-breakpoint
CREATE TRIGGER "article_tags_counted_update" AFTER UPDATE ON "article_tags" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_tagged_articles();
--> statement-breakpoint
CREATE TRIGGER "article_tags_counted_delete" AFTER DELETE ON "article_tags" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION count_tagged_articles();
--> statement-breakpoint
CREATE TRIGGER "article_tags_counted_truncate" AFTER TRUNCATE ON "article_tags"
FOR EACH STATEMENT EXECUTE FUNCTION forget_counts();
--> statement-breakpoint
-- The rows already there, in shard 0 (the triggers now lock out writers, so none is missed or counted twice).
INSERT INTO "article_counts" ("shard", "articles") SELECT 0, count(*)::int FROM "articles";
--> statement-breakpoint
INSERT INTO "author_article_counts" ("author_id", "shard", "articles")
SELECT "author_id", 0, count(*)::int FROM "articles" GROUP BY "author_id";
--> statement-breakpoint
INSERT INTO "tag_article_counts" ("tag", "shard", "articles")
SELECT "tag", 0, count(*)::int FROM "article_tags" GROUP BY "tag";
