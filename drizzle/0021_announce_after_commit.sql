-- Written with drizzle-kit generate --custom. The app's own sessions announce their writes
-- themselves; the triggers of 0020 announce only the others' (an operator's SQL, a migration's backfill).
--
-- PostgreSQL serializes the commits of transactions that NOTIFY (one lock for the whole cluster, held
-- through the commit's flush): with 0020's triggers in every write, the API's writes queued behind one
-- another. So the app's sessions carry conduit.announces=on (a startup parameter, src/core/connection.ts)
-- and announce each write once it has committed, batched (src/core/change-feed.ts); for them the triggers
-- below do not run at all. Every other session still announces here, inside its transaction.
-- Replacing the triggers takes a short lock on each table (writes wait, reads do not).

-- The session announces its own writes (the app's, see above).
CREATE FUNCTION "announced_by_session"() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('conduit.announces', true), '') = 'on'
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "articles_announced_insert" AFTER INSERT ON "articles" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "articles_announced_update" AFTER UPDATE ON "articles" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "articles_announced_delete" AFTER DELETE ON "articles" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "article_tags_announced_insert" AFTER INSERT ON "article_tags" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "article_tags_announced_update" AFTER UPDATE ON "article_tags" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "article_tags_announced_delete" AFTER DELETE ON "article_tags" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "favorites_announced_insert" AFTER INSERT ON "favorites" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "favorites_announced_update" AFTER UPDATE ON "favorites" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "favorites_announced_delete" AFTER DELETE ON "favorites" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "comments_announced_insert" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "comments_announced_update" AFTER UPDATE ON "comments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "comments_announced_delete" AFTER DELETE ON "comments" REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_article_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "users_announced_update" AFTER UPDATE OF "username", "bio", "image" ON "users"
FOR EACH ROW WHEN (NOT announced_by_session() AND (OLD."username" IS DISTINCT FROM NEW."username" OR OLD."bio" IS DISTINCT FROM NEW."bio" OR OLD."image" IS DISTINCT FROM NEW."image"))
EXECUTE FUNCTION announce_profile_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER "users_announced_delete" AFTER DELETE ON "users"
FOR EACH ROW WHEN (NOT announced_by_session()) EXECUTE FUNCTION announce_profile_change();
