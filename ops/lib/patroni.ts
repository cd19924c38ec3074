/**
 * A highly available PostgreSQL on this machine, managed the way operators run it: one etcd
 * (Debian's `etcd-server`) as Patroni's DCS, and three PostgreSQL nodes each run by Patroni
 * (Debian's `patroni`), in synchronous mode. Everything lives in one temporary folder, on free
 * ports; nothing touches the shared server on 5432. Patroni runs as the `postgres` OS user
 * (through setpriv, which execs: the child's pid is Patroni's own, so a drill can kill it).
 *
 * The timing settings are the ones docs/scaling.md recommends for a failover in about 10 s:
 * ttl 10 (the leader key expires 10 s after its holder stops renewing it), loop_wait 2,
 * retry_timeout 4 (Patroni needs loop_wait + 2 × retry_timeout ≤ ttl).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { MAXIMUM_LAG_ON_FAILOVER, patroniConfig } from './patroni-config';
import { freePort, READY_BUDGET_MS, waitUntil } from './server';
import { asPostgres, giveToPostgres, postgresBinDir, postgresOwnedFolder } from './throwaway-postgres';

export interface Member {
  name: string;
  /** leader, sync_standby, replica */
  role: string;
  /** running, streaming, stopped, starting ... */
  state: string;
  lag?: number | string;
  timeline?: number;
}

export interface Node {
  name: string;
  pgPort: number;
  restPort: number;
  dir: string;
  config: string;
  patroni?: Subprocess;
}

/** Clusters not yet destroyed when this process exits (a drill that failed, or was interrupted) are. */
const running = new Set<PatroniCluster>();
process.once('exit', () => {
  for (const cluster of running) cluster.destroy();
});

export class PatroniCluster {
  private etcd?: Subprocess;
  private constructor(
    readonly root: string,
    readonly scope: string,
    readonly etcdPort: number,
    readonly nodes: Node[],
  ) {}

  /** Starts etcd and three Patroni nodes, and waits for a leader and two streaming replicas. */
  static async create(count = 3): Promise<PatroniCluster> {
    const root = postgresOwnedFolder('conduit-patroni-');
    const scope = `conduit-drill-${Date.now().toString(36)}`;
    const nodes: Node[] = [];
    for (let i = 1; i <= count; i++) {
      const dir = join(root, `node${i}`);
      nodes.push({ name: `node${i}`, pgPort: await freePort(), restPort: await freePort(), dir, config: `${dir}.yml` });
    }
    const cluster = new PatroniCluster(root, scope, await freePort(), nodes);
    running.add(cluster);
    try {
      await cluster.startEtcd();
      for (const node of nodes) cluster.writeConfig(node);
      // The first node bootstraps the cluster; the others clone it once it leads.
      cluster.startNode(nodes[0] as Node);
      await cluster.waitFor('node1 to lead', (members) =>
        members.some((m) => m.name === 'node1' && m.role === 'leader'),
      );
      for (const node of nodes.slice(1)) cluster.startNode(node);
      await cluster.waitUntilHealthy(count);
      return cluster;
    } catch (error) {
      cluster.destroy();
      throw error;
    }
  }

  private async startEtcd(): Promise<void> {
    const peerPort = await freePort();
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    this.etcd = Bun.spawn(
      [
        'etcd',
        '--name=drill',
        `--data-dir=${join(this.root, 'etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=drill=${peer}`,
        '--log-level=error',
      ],
      { stdout: 'ignore', stderr: 'ignore' },
    );
    const etcd = this.etcd;
    await waitUntil(
      'etcd to be healthy',
      async () => {
        if (etcd.exitCode !== null) throw new Error(`etcd exited with code ${etcd.exitCode}`);
        return fetch(`${client}/health`).then(
          async (response) => response.ok && ((await response.json()) as { health: string }).health === 'true',
          () => false,
        );
      },
      READY_BUDGET_MS,
      100,
    );
  }

  private writeConfig(node: Node): void {
    writeFileSync(node.config, patroniConfig(this, node));
    mkdirSync(`${node.dir}-log`, { recursive: true });
    giveToPostgres(node.config, `${node.dir}-log`);
  }

  /** Starts (or restarts) the node's Patroni, which starts its PostgreSQL (or clones the leader first). */
  startNode(node: Node): void {
    const uid = Bun.spawnSync(['id', '-u', 'postgres']).stdout.toString().trim();
    const asPostgres =
      process.getuid?.() === 0 ? ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--init-groups', '--'] : [];
    node.patroni = Bun.spawn([...asPostgres, 'patroni', node.config], {
      cwd: this.root,
      env: { ...process.env, HOME: this.root },
      stdout: 'ignore',
      stderr: 'ignore',
    });
  }

  /** Each answering node's view of the cluster (GET /cluster): a node just started may see an old one. */
  async views(): Promise<Member[][]> {
    const answers = await Promise.all(
      this.nodes.map((node) =>
        fetch(`http://127.0.0.1:${node.restPort}/cluster`, { signal: AbortSignal.timeout(2000) }).then(
          async (response) => (response.ok ? ((await response.json()) as { members: Member[] }).members : undefined),
          () => undefined,
        ),
      ),
    );
    return answers.filter((view): view is Member[] => view !== undefined);
  }

  /** The cluster as most answering nodes see it. */
  async members(): Promise<Member[]> {
    const views = await this.views();
    const key = (view: Member[]) => view.find((m) => m.role === 'leader')?.name ?? '';
    const counts = Object.groupBy(views, key);
    const [, most] = Object.entries(counts).sort(([, a], [, b]) => (b?.length ?? 0) - (a?.length ?? 0))[0] ?? [];
    return most?.[0] ?? [];
  }

  async leader(): Promise<Node | undefined> {
    const name = (await this.members()).find((member) => member.role === 'leader')?.name;
    return this.nodes.find((node) => node.name === name);
  }

  /** Resolves once `test` holds for the members; fails with the last view after `timeoutMs`. */
  async waitFor(what: string, test: (members: Member[]) => boolean, timeoutMs = READY_BUDGET_MS): Promise<void> {
    let last: Member[] = [];
    const sees = async () => {
      last = await this.members();
      return test(last);
    };
    await waitUntil(what, sees, timeoutMs, 200).catch((error: Error) => {
      throw new Error(`${error.message} (last: ${JSON.stringify(last)})`);
    });
  }

  /**
   * One leader and `count - 1` replicas running on its timeline, streaming (a lag in bytes, at most
   * maximum_lag_on_failover: writes go on meanwhile), one of them
   * synchronous, as every node sees it (a node that just rejoined stops once more to rewind).
   */
  async waitUntilHealthy(count: number, timeoutMs = READY_BUDGET_MS): Promise<void> {
    let last: Member[][] = [];
    const healthy = (members: Member[]) => {
      const leader = members.find((m) => m.role === 'leader' && m.state === 'running');
      const replicas = members.filter((m) => m.role !== 'leader');
      return (
        members.length === count &&
        leader !== undefined &&
        replicas.some((m) => m.role === 'sync_standby') &&
        replicas.every(
          (m) =>
            m.state === 'running' &&
            m.timeline === leader.timeline &&
            typeof m.lag === 'number' &&
            m.lag <= MAXIMUM_LAG_ON_FAILOVER,
        )
      );
    };
    const everyoneSeesIt = async () => {
      last = await this.views();
      return last.length === count && last.every(healthy);
    };
    await waitUntil(`a healthy cluster of ${count}`, everyoneSeesIt, timeoutMs, 200).catch((error: Error) => {
      throw new Error(`${error.message} (last: ${JSON.stringify(last)})`);
    });
  }

  /** The node's death: SIGKILL to its Patroni (else it restarts PostgreSQL in place), then to its postmaster. */
  async kill(node: Node): Promise<void> {
    node.patroni?.kill('SIGKILL');
    await node.patroni?.exited;
    const postmaster = Number(readFileSync(join(node.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
  }

  /** A planned switchover with patronictl, as an operator runs it. */
  async switchover(leader: Node, candidate: Node): Promise<string> {
    const command = ['patronictl', '-c', leader.config, 'switchover', '--leader', leader.name];
    const child = Bun.spawn([...command, '--candidate', candidate.name, '--force'], {
      stdout: 'pipe',
      stderr: 'pipe',
      env: { ...process.env, HOME: this.root },
    });
    const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    if ((await child.exited) !== 0) throw new Error(`patronictl switchover failed: ${out}${err}`);
    return out;
  }

  /** Stops every process it started (Patroni, PostgreSQL, etcd) and removes the folder. */
  destroy(): void {
    running.delete(this);
    const bin = postgresBinDir();
    for (const node of this.nodes) {
      node.patroni?.kill('SIGKILL');
      // Immediate shutdown, not SIGKILL: it also releases the shared memory.
      Bun.spawnSync([...asPostgres(), join(bin, 'pg_ctl'), '-D', node.dir, '-m', 'immediate', '-w', 'stop'], {
        stdout: 'ignore',
        stderr: 'ignore',
      });
    }
    this.etcd?.kill('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }
}
