CREATE TABLE "author_totals" (
	"author_id" integer PRIMARY KEY NOT NULL,
	"articles" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "author_totals" ADD CONSTRAINT "author_totals_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;