import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../../users/schema/users.schema';

/**
 * The `Idempotency-Key`s accounts sent with their writes, and the first answer to each (see
 * ../idempotency.service.ts). A key belongs to one account: two accounts may use the same key.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    accountId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    /** An HMAC (keyed with a server secret) of the request's method, path and body; never the body itself. */
    fingerprint: text().notNull(),
    /** A random id of the request that holds the key: only it may store the answer or let the key go. */
    claim: uuid().notNull(),
    /** When the key was claimed: it expires a set time after, and an unanswered claim is abandoned sooner. */
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The first answer's status; null while the request runs. */
    status: integer(),
    /** The first answer's JSON body, as sent (a user's token left out); null for an empty body. */
    reply: text(),
  },
  (table) => [
    // The database decides who holds a key: a second insert of it conflicts.
    primaryKey({ columns: [table.accountId, table.key] }),
    // Expired keys are deleted oldest first.
    index('idempotency_keys_created_at').on(table.createdAt),
  ],
);
