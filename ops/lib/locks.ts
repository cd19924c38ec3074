/**
 * A table lock held from a connection of its own, as an operator's `LOCK TABLE` in a migration or a
 * stuck transaction holds one, and what the database's other sessions are doing meanwhile.
 */
import postgres from 'postgres';

export interface HeldLock {
  /** Sessions of the database waiting for a lock: the statements this one holds up. */
  waiting(): Promise<number>;
  /** Sessions of the database other than the lock's own that are running a statement or are in a transaction. */
  busy(): Promise<number>;
  /** Ends the lock's transaction (rolled back) and closes its connections; once, however often called. */
  release(): Promise<void>;
}

/** Takes `LOCK TABLE <table>` (ACCESS EXCLUSIVE: nobody reads or writes it) in a transaction left open. */
export async function lockTable(url: string, table: string): Promise<HeldLock> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const holder = await sql.reserve();
  await holder.unsafe('begin');
  await holder.unsafe(`lock table ${table}`);
  const [session] = await holder<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const count = async (condition: string) => {
    const [row] = await sql.unsafe<{ n: number }[]>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and pid <> $1 and ${condition}`,
      [session?.pid ?? 0],
    );
    return row?.n ?? 0;
  };
  let released: Promise<void> | undefined;
  return {
    waiting: () => count(`wait_event_type = 'Lock'`),
    busy: () => count(`state <> 'idle'`),
    release: () => {
      released ??= holder
        .unsafe('rollback')
        .then(() => holder.release())
        .finally(() => sql.end());
      return released;
    },
  };
}
