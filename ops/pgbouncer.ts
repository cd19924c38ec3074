/**
 * `bun run test:pgbouncer`: the whole test suite through PgBouncer in transaction mode, with the
 * app's DB_PGBOUNCER setting, against the PostgreSQL server of TEST_DATABASE_URL (default: the
 * local one). Starts a PgBouncer of its own on a free port (Debian's `pgbouncer` package; as the
 * `postgres` OS user when run as root, since PgBouncer refuses root) and stops it afterwards.
 * Exits with the suite's status; the suite's own summary lines are its last output.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { ROOT, serverUrl } from './lib/cli';
import { freePort, waitUntil } from './lib/server';
import { asPostgres, giveToPostgres, postgresOwnedFolder } from './lib/throwaway-postgres';

function config(upstream: URL, port: number, dir: string): string {
  return `[databases]
* = host=${upstream.hostname} port=${upstream.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'userlist.txt')}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
logfile = ${join(dir, 'pgbouncer.log')}
`;
}

const listening = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.end();
      done(true);
    });
    socket.on('error', () => done(false));
  });

export async function main(): Promise<never> {
  if (!Bun.which('pgbouncer')) {
    console.error('pgbouncer is not installed (Debian: apt-get install pgbouncer).');
    process.exit(1);
  }
  const upstream = new URL(serverUrl());
  const dir = postgresOwnedFolder('conduit-pgbouncer-');
  const port = await freePort();
  writeFileSync(join(dir, 'userlist.txt'), `"${upstream.username || 'postgres'}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), config(upstream, port, dir));
  giveToPostgres(join(dir, 'userlist.txt'), join(dir, 'pgbouncer.ini'));
  const bouncer = Bun.spawn([...asPostgres(), 'pgbouncer', join(dir, 'pgbouncer.ini')], {
    stdout: 'inherit',
    stderr: 'inherit',
  });
  await waitUntil('PgBouncer to listen', () => listening(port), 5000);

  console.log(`PgBouncer (transaction mode) on 127.0.0.1:${port} in front of ${upstream.host}`);
  const through = new URL(upstream);
  through.hostname = '127.0.0.1';
  through.port = String(port);
  const suite = Bun.spawn(['bun', 'run', 'test'], {
    cwd: ROOT,
    env: { ...process.env, TEST_DATABASE_URL: through.toString(), DATABASE_URL: '', DB_PGBOUNCER: 'true' },
    stdout: 'inherit',
    stderr: 'inherit',
  });
  const status = await suite.exited;
  bouncer.kill('SIGTERM');
  await bouncer.exited;
  rmSync(dir, { recursive: true, force: true });
  process.exit(status);
}

if (import.meta.main) await main();
