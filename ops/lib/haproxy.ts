/**
 * HAProxy (Debian's `haproxy`) as the drills' load balancer: started in the foreground from a
 * configuration the drill writes, driven through its runtime API (the admin socket an operator's
 * deploy scripts use: drain a server, put it back, read its state).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { READY_BUDGET_MS } from './server';

/** One server's line of `show stat`: its state as the balancer sees it and its current sessions. */
export interface ServerStat {
  /** UP, DOWN, DRAIN, MAINT, "UP 1/2" (going down), "DOWN 1/2" (coming up), no check ... */
  status: string;
  /** Sessions in progress on it now. */
  current: number;
  /** Sessions it has had in all. */
  total: number;
}

/** Balancers still running when this process exits (a drill that failed, or was interrupted) are killed. */
const running = new Set<Haproxy>();
process.once('exit', () => {
  for (const haproxy of running) haproxy.stop();
});

export class Haproxy {
  private constructor(
    private readonly child: Subprocess,
    private readonly folder: string,
    private readonly socket: string,
  ) {}

  /**
   * Starts HAProxy with `config` (the frontends and backends; the `global` section with the admin
   * socket is added here) and waits until its runtime API answers.
   */
  static async start(config: string): Promise<Haproxy> {
    const folder = mkdtempSync(join(tmpdir(), 'conduit-haproxy-'));
    const socket = join(folder, 'admin.sock');
    const file = join(folder, 'haproxy.cfg');
    writeFileSync(
      file,
      `global\n  stats socket ${socket} mode 600 level admin\n  log stderr format short local0 warning\n\n${config}`,
    );
    const check = Bun.spawnSync(['haproxy', '-c', '-q', '-f', file], { stderr: 'pipe' });
    if (check.exitCode !== 0) {
      rmSync(folder, { recursive: true, force: true });
      throw new Error(`haproxy -c rejected the configuration: ${check.stderr.toString()}`);
    }
    // -db: stay in the foreground, so the child is HAProxy itself and dies with a kill.
    const child = Bun.spawn(['haproxy', '-db', '-f', file], { stdout: 'ignore', stderr: 'pipe' });
    const haproxy = new Haproxy(child, folder, socket);
    running.add(haproxy);
    const deadline = Date.now() + READY_BUDGET_MS;
    while (true) {
      if (child.exitCode !== null) {
        haproxy.stop();
        throw new Error(`haproxy exited (${child.exitCode}): ${await new Response(child.stderr).text()}`);
      }
      if ((await haproxy.command('show info').catch(() => '')).includes('Name: HAProxy')) return haproxy;
      if (Date.now() > deadline) {
        haproxy.stop();
        throw new Error('haproxy did not answer on its admin socket');
      }
      await Bun.sleep(50);
    }
  }

  /** Sends one command to the runtime API and resolves with its answer. */
  command(line: string): Promise<string> {
    return new Promise((done, fail) => {
      let answer = '';
      const connection = createConnection(this.socket, () => connection.end(`${line}\n`));
      connection.setEncoding('utf8');
      connection.on('data', (chunk) => {
        answer += chunk;
      });
      connection.on('end', () => done(answer));
      connection.on('error', fail);
    });
  }

  /** The servers of `backend` by name, from `show stat`. */
  async servers(backend: string): Promise<Map<string, ServerStat>> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = (header ?? '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const servers = new Map<string, ServerStat>();
    for (const row of rows) {
      const cells = row.split(',');
      const [proxy, name] = [cells[at('pxname')], cells[at('svname')]];
      if (proxy !== backend || name === 'FRONTEND' || name === 'BACKEND' || !name) continue;
      servers.set(name, {
        status: cells[at('status')] ?? '',
        current: Number(cells[at('scur')]),
        total: Number(cells[at('stot')]),
      });
    }
    return servers;
  }

  /** Resolves once `test` holds for `server`'s line; fails after `timeoutMs` with its last state. */
  async waitFor(
    backend: string,
    server: string,
    what: string,
    test: (stat: ServerStat) => boolean,
    timeoutMs = READY_BUDGET_MS,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: ServerStat | undefined;
    while (Date.now() < deadline) {
      last = (await this.servers(backend)).get(server);
      if (last && test(last)) return;
      await Bun.sleep(50);
    }
    throw new Error(`${backend}/${server} was not ${what} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
  }

  /** Whether HAProxy itself is still running. */
  get running(): boolean {
    return this.child.exitCode === null;
  }

  stop(): void {
    running.delete(this);
    this.child.kill('SIGKILL');
    rmSync(this.folder, { recursive: true, force: true });
  }
}
