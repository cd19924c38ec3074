import { MIGRATIONS_FOLDER } from '../core/connection';
import type { AppDatabase } from '../core/database';
import { warnNowAndThen } from '../core/logger';
import { migrationFiles, migrationStatus } from '../core/migrator';

/** What readiness asks of `database`: its migrations, and whether its pool is saturated. */
export function healthRepository({ db, admit, pools }: AppDatabase) {
  /** The migrations this version was built with (read once: they ship with the code). */
  const files = migrationFiles(MIGRATIONS_FOLDER);

  /**
   * The migrations this version expects that the database has not applied, from the primary (where
   * db:migrate writes); undefined when the database does not answer. One small query: readiness
   * probes run it every few seconds. Like any operation it waits for a connection at most
   * DB_POOL_WAIT_MS (then throws the PoolRefusal, 503): never behind statements stuck on a lock.
   */
  async function pendingMigrations(): Promise<string[] | undefined> {
    using _operation = await admit('health.pendingMigrations', 'primary');
    try {
      const status = await migrationStatus(db, files);
      return status.pending.map((file) => file.tag);
    } catch (error) {
      // An outage, or a database role that may not read drizzle's records: say which, now and then.
      warnNowAndThen('not ready: the migration records could not be read', error, 10_000);
      return undefined;
    }
  }

  /** True when some operation was recently turned away for want of any free connection. */
  const poolSaturated = () => pools.saturated;

  return { pendingMigrations, poolSaturated };
}

export type HealthRepository = ReturnType<typeof healthRepository>;
