-- Custom SQL migration file, put your code below! ---- Written with drizzle-kit generate --custom: every committed change to what the API serves is
-- announced on the channel conduit_changes, so that each process drops what it holds in memory of
-- it (src/core/change-feed.ts, src/core/read-cache.ts). NOTIFY is transactional: the message is sent
-- when the writing transaction commits, never for one that rolls back, to every session listening,
-- whichever path wrote (the API, a cascade, an operator's SQL).
--
-- The payload is JSON: {"kind": ..., "keys": [...], "at": <ms since the epoch, when the trigger ran>}.
--   articles: the slugs of articles whose shown content changed (their row, tags or favorites);
--             lists and the tag list change with them.
--   comments: the slugs of articles whose comments changed.
--   users:    the usernames (lower case) whose public profile (username, bio, image) changed or went.
--   all:      too many to name (a bulk statement, a TRUNCATE): everything.
-- Creating the triggers takes a short lock on each table (writes wait, reads do not).

CREATE FUNCTION "announce_change"(kind text, keys text[]) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  at bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  payload text;
BEGIN
  IF keys IS NOT NULL AND cardinality(keys) = 0 THEN
    RETURN;
  END IF;
  payload := json_build_object('kind', kind, 'keys', keys, 'at', at)::text;
  -- A payload must stay under 8000 bytes: past a few hundred keys, say "everything".
  IF keys IS NULL OR octet_length(payload) > 7000 THEN
    payload := json_build_object('kind', 'all', 'keys', '{}'::text[], 'at', at)::text;
  END IF;
  PERFORM pg_notify('conduit_changes', payload);
END
$$;
--> statement-breakpoint
-- Statement-level, one message per statement however many rows it touched. Favorites, tag links and
-- comments name their article by slug (a lookup on the primary key); when the article itself is going
-- (a cascade), its own trigger has named it already.
CREATE FUNCTION "announce_article_change"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  kind text := CASE WHEN TG_TABLE_NAME = 'comments' THEN 'comments' ELSE 'articles' END;
  ids integer[];
  slugs text[];
BEGIN
  IF TG_TABLE_NAME = 'articles' THEN
    IF TG_OP = 'INSERT' THEN
      slugs := array(SELECT "slug" FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
      slugs := array(SELECT "slug" FROM old_rows);
    ELSE
      slugs := array(SELECT "slug" FROM old_rows UNION SELECT "slug" FROM new_rows);
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      ids := array(SELECT DISTINCT "article_id" FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
      ids := array(SELECT DISTINCT "article_id" FROM old_rows);
    ELSE
      ids := array(SELECT "article_id" FROM old_rows UNION SELECT "article_id" FROM new_rows);
    END IF;
    slugs := array(SELECT "slug" FROM "articles" WHERE "id" = ANY (ids));
  END IF;
  PERFORM announce_change(kind, slugs);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "announce_profile_change"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM announce_change('users', ARRAY[lower(OLD."username")]);
  ELSE
    PERFORM announce_change('users', ARRAY[lower(OLD."username"), lower(NEW."username")]);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "announce_truncate"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM announce_change('all', NULL);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "articles_announced_insert" AFTER INSERT ON "articles" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "articles_announced_update" AFTER UPDATE ON "articles" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "articles_announced_delete" AFTER DELETE ON "articles" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "article_tags_announced_insert" AFTER INSERT ON "article_tags" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "article_tags_announced_update" AFTER UPDATE ON "article_tags" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "article_tags_announced_delete" AFTER DELETE ON "article_tags" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "favorites_announced_insert" AFTER INSERT ON "favorites" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "favorites_announced_update" AFTER UPDATE ON "favorites" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "favorites_announced_delete" AFTER DELETE ON "favorites" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "comments_announced_insert" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "comments_announced_update" AFTER UPDATE ON "comments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "comments_announced_delete" AFTER DELETE ON "comments" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE TRIGGER "users_announced_update" AFTER UPDATE OF "username", "bio", "image" ON "users"
FOR EACH ROW WHEN (OLD."username" IS DISTINCT FROM NEW."username" OR OLD."bio" IS DISTINCT FROM NEW."bio" OR OLD."image" IS DISTINCT FROM NEW."image")
EXECUTE FUNCTION announce_profile_change();
--> statement-breakpoint
CREATE TRIGGER "users_announced_delete" AFTER DELETE ON "users"
FOR EACH ROW EXECUTE FUNCTION announce_profile_change();
--> statement-breakpoint
CREATE TRIGGER "articles_announced_truncate" AFTER TRUNCATE ON "articles" FOR EACH STATEMENT EXECUTE FUNCTION announce_truncate();
--> statement-breakpoint
CREATE TRIGGER "users_announced_truncate" AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION announce_truncate();
--> statement-breakpoint
CREATE TRIGGER "comments_announced_truncate" AFTER TRUNCATE ON "comments" FOR EACH STATEMENT EXECUTE FUNCTION announce_truncate();
--> statement-breakpoint
CREATE TRIGGER "favorites_announced_truncate" AFTER TRUNCATE ON "favorites" FOR EACH STATEMENT EXECUTE FUNCTION announce_truncate();
