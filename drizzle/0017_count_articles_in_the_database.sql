-- Custom SQL migration file, put your code below! --
-- Written with drizzle-kit generate --custom: the triggers that keep the counts of 0016 (what they
-- are for: src/articles/schema/article-counts.schema.ts), and the counts of the rows already there.
-- Creating the triggers locks out writes to articles and article_tags (not reads) until this
-- migration commits, so no write falls between the triggers and the counting below.

-- The shard a writing transaction adds to: one that no concurrent transaction holds. The first call
-- in a transaction takes the first free shard's advisory lock, trying the 16 shards from one picked
-- by its backend, then (when 16 writers are in flight) shards 16, 17, ... up to 1023, and keeps it
-- until commit; later calls in the transaction reuse it (a transaction-local setting). So a
-- transaction holds one shard, and no transaction waits for another's counter rows: a wait there,
-- while holding other locks (a new tag's row), could deadlock. Shards past 15 exist only after such
-- a burst, and reads sum only the rows that exist.
CREATE FUNCTION "count_shard"() RETURNS integer LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  held text := current_setting('conduit.count_shard', true);
  start integer := pg_backend_pid() % 16;
  candidate integer;
BEGIN
  IF held IS NOT NULL AND held <> '' THEN
    RETURN held::integer;
  END IF;
  FOR step IN 0..1023 LOOP
    candidate := CASE WHEN step < 16 THEN (start + step) % 16 ELSE step END;
    IF pg_try_advisory_xact_lock(hashtext('conduit:count_shard'), candidate) THEN
      PERFORM set_config('conduit.count_shard', candidate::text, true);
      RETURN candidate;
    END IF;
  END LOOP;
  -- More than 1024 writers at once (more than any max_connections here): wait for one.
  PERFORM pg_advisory_xact_lock(hashtext('conduit:count_shard'), start);
  PERFORM set_config('conduit.count_shard', start::text, true);
  RETURN start;
END
$$;
--> statement-breakpoint
-- Statement-level: one upsert per statement however many rows it touched (a bulk load, or a deleted
-- user's articles going with them). An UPDATE counts only if it moved an article to another author.
CREATE FUNCTION "count_articles"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
CREATE FUNCTION "count_tagged_articles"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
CREATE FUNCTION "forget_counts"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
-- Counts everything again from the rows, in shard 0. The migration uses it for the rows already
-- there; operators, after writing with the triggers off (session_replication_role = replica, a
-- pg_restore --disable-triggers): `SELECT recount_articles();`. It locks out writes (not reads) to
-- articles and article_tags until its transaction commits, so no write is missed or counted twice.
CREATE FUNCTION "recount_articles"() RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  LOCK TABLE "articles", "article_tags" IN SHARE MODE;
  DELETE FROM "article_counts";
  DELETE FROM "author_article_counts";
  DELETE FROM "tag_article_counts";
  INSERT INTO "article_counts" ("shard", "articles") SELECT 0, count(*)::int FROM "articles";
  INSERT INTO "author_article_counts" ("author_id", "shard", "articles")
  SELECT "author_id", 0, count(*)::int FROM "articles" GROUP BY "author_id";
  INSERT INTO "tag_article_counts" ("tag", "shard", "articles")
  SELECT "tag", 0, count(*)::int FROM "article_tags" GROUP BY "tag";
END
$$;
--> statement-breakpoint
SELECT recount_articles();
