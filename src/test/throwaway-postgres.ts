/**
 * A PostgreSQL instance of our own, for drills that stop and start it: initdb into a temporary
 * folder, a free port, and the `postgres` OS user when we are root (PostgreSQL refuses root).
 * It never touches the shared server on 5432.
 */
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server';

function binDir(): string {
  const fromPgConfig = Bun.spawnSync(['pg_config', '--bindir']).stdout.toString().trim();
  if (fromPgConfig) return fromPgConfig;
  throw new Error('pg_config not found: install PostgreSQL (Debian: postgresql) to run this drill');
}

export class ThrowawayPostgres {
  readonly dataDir: string;
  readonly port: number;
  private readonly bin = binDir();
  private readonly root: string;

  private constructor(root: string, port: number) {
    this.root = root;
    this.dataDir = join(root, 'data');
    this.port = port;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const root = mkdtempSync(join(tmpdir(), 'conduit-pg-'));
    const instance = new ThrowawayPostgres(root, await freePort());
    if (process.getuid?.() === 0) {
      const { uid, gid } = postgresUser();
      chownSync(root, uid, gid);
    }
    await instance.run(['initdb', '-D', instance.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    return instance;
  }

  /** A streaming replica of `primary` (pg_basebackup -R), ready to start on a port of its own. */
  static async replicaOf(primary: ThrowawayPostgres): Promise<ThrowawayPostgres> {
    const root = mkdtempSync(join(tmpdir(), 'conduit-pg-replica-'));
    const instance = new ThrowawayPostgres(root, await freePort());
    if (process.getuid?.() === 0) {
      const { uid, gid } = postgresUser();
      chownSync(root, uid, gid);
    }
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
    Bun.spawnSync([...this.asPostgres(), join(this.bin, 'pg_ctl'), '-D', this.dataDir, '-m', 'immediate', 'stop']);
    rmSync(this.root, { recursive: true, force: true });
  }

  private asPostgres(): string[] {
    return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  }

  /** Runs a PostgreSQL program without blocking the event loop (clients keep running meanwhile). */
  private async run([command, ...args]: string[]): Promise<void> {
    const child = Bun.spawn([...this.asPostgres(), join(this.bin, command as string), ...args], {
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
