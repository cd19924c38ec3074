ALTER TABLE "article_totals" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "author_totals" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "article_totals" CASCADE;--> statement-breakpoint
DROP TABLE "author_totals" CASCADE;--> statement-breakpoint
DROP INDEX "users_username_unique";