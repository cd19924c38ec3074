import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'users',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    email: text().notNull(),
    username: text().notNull(),
    passwordHash: text().notNull(),
    bio: text(),
    image: text(),
    /** Moves on with every password change: tokens carry the version they were issued under. */
    tokenVersion: integer().notNull().default(0),
    /** The id of the token that made the latest password change: that session goes on, every other ends. */
    passwordChangedByToken: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Emails are unique whatever their case; lookups use the same expression, so they use this index.
    uniqueIndex('users_email_unique').on(sql`lower(${table.email})`),
    // Usernames too, so that `Admin` and `admin` cannot both exist; lookups use the same expression.
    uniqueIndex('users_username_lower_unique').on(sql`lower(${table.username})`),
  ],
);
