import { sql } from 'drizzle-orm';
import { closeDatabase, databaseTarget, db } from '../core/database';

/** True when the database answers a trivial query. */
export async function databaseAnswers(): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Where the data lives, for the start-up line; never includes a password. */
export function databaseDescription(): string {
  return databaseTarget;
}

/** Closes the pool (or the embedded engine) once the server has stopped taking requests. */
export function disconnectDatabase(): Promise<void> {
  return closeDatabase();
}
