/**
 * A PostgreSQL instance of our own, for drills that stop and start it: initdb into a temporary
 * folder, a free port, and the `postgres` OS user when we are root (PostgreSQL refuses root).
 * It never touches the shared server on 5432.
 */
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server';

/** Where PostgreSQL's programs are (pg_config --bindir). */
export function postgresBinDir(): string {
  const fromPgConfig = Bun.spawnSync(['pg_config', '--bindir']).stdout.toString().trim();
  if (fromPgConfig) return fromPgConfig;
  throw new Error('pg_config not found: install PostgreSQL (Debian: postgresql) to run this drill');
}

export class ThrowawayPostgres {
  readonly dataDir: string;
  readonly port: number;
  private readonly bin = postgresBinDir();
  private readonly root: string;

  private constructor(root: string, port: number) {
    this.root = root;
    this.dataDir = join(root, 'data');
    this.port = port;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const instance = new ThrowawayPostgres(postgresOwnedFolder('conduit-pg-'), await freePort());
    await instance.run(['initdb', '-D', instance.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    return instance;
  }

  /** A streaming replica of `primary` (pg_basebackup -R), ready to start on a port of its own. */
  static async replicaOf(primary: ThrowawayPostgres): Promise<ThrowawayPostgres> {
    const instance = new ThrowawayPostgres(postgresOwnedFolder('conduit-pg-replica-'), await freePort());
    await instance.run([
      'pg_basebackup',
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      instance.dataDir,
      '-R',
      '-X',
      'stream',
    ]);
    return instance;
  }

  /** The URL of database `name` on this instance. */
  databaseUrl(name: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=on`;
    return this.run(['pg_ctl', '-D', this.dataDir, '-o', options, '-l', join(this.root, 'server.log'), '-w', 'start']);
  }

  /** `fast`: roll back open transactions and disconnect everyone, as an operator's restart does. */
  stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    return this.run(['pg_ctl', '-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    Bun.spawnSync([...asPostgres(), join(this.bin, 'pg_ctl'), '-D', this.dataDir, '-m', 'immediate', 'stop']);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs a PostgreSQL program without blocking the event loop (clients keep running meanwhile). */
  private async run([command, ...args]: string[]): Promise<void> {
    const child = Bun.spawn([...asPostgres(), join(this.bin, command as string), ...args], {
      stdout: 'pipe',
      stderr: 'pipe',
    });
    if ((await child.exited) !== 0) {
      const output = (await new Response(child.stderr).text()) + (await new Response(child.stdout).text());
      throw new Error(`${command} failed (${child.exitCode}): ${output}`);
    }
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Bun.spawnSync(['id', flag, 'postgres']);
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.exitCode !== 0 || gid.exitCode !== 0) throw new Error('there is no postgres OS user to run PostgreSQL as');
  return { uid: Number(uid.stdout.toString()), gid: Number(gid.stdout.toString()) };
}

const runningAsRoot = process.getuid?.() === 0;

/** The command prefix that runs a PostgreSQL program as the `postgres` user when we are root. */
export function asPostgres(): string[] {
  return runningAsRoot ? ['runuser', '-u', 'postgres', '--'] : [];
}

/** Hands `paths` to the `postgres` user when we are root (PostgreSQL and PgBouncer refuse root). */
export function giveToPostgres(...paths: string[]): void {
  if (!runningAsRoot) return;
  const { uid, gid } = postgresUser();
  for (const path of paths) chownSync(path, uid, gid);
}

/** A new temporary folder the server's user can write in. */
export function postgresOwnedFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  giveToPostgres(folder);
  return folder;
}
