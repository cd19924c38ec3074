/**
 * The configuration of one Patroni node of the failover drill's cluster (ops/lib/patroni.ts):
 * synchronous mode, the timing docs/scaling.md recommends, trust on 127.0.0.1.
 */
import { postgresBinDir } from './throwaway-postgres';

/**
 * ttl 10 (the leader key expires 10 s after its holder stops renewing it), loop_wait 2,
 * retry_timeout 4 (Patroni needs loop_wait + 2 × retry_timeout ≤ ttl): a failover in about 10 s.
 */
export const PATRONI_TIMING = { ttl: 10, loop_wait: 2, retry_timeout: 4 } as const;
/** Bytes a replica may trail and still be promoted, or count as caught up (Patroni's default, 1 MiB). */
export const MAXIMUM_LAG_ON_FAILOVER = 1_048_576;

interface NodeSettings {
  name: string;
  pgPort: number;
  restPort: number;
  dir: string;
}

/** Patroni's YAML for `node` of the cluster with `scope`, its etcd on `etcdPort`, its files under `root`. */
export function patroniConfig(cluster: { scope: string; etcdPort: number; root: string }, node: NodeSettings): string {
  const hba = ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'];
  return `scope: ${cluster.scope}
namespace: /conduit/
name: ${node.name}
log:
  level: WARNING
  dir: ${node.dir}-log
restapi:
  listen: 127.0.0.1:${node.restPort}
  connect_address: 127.0.0.1:${node.restPort}
etcd3:
  hosts: 127.0.0.1:${cluster.etcdPort}
bootstrap:
  dcs:
    ttl: ${PATRONI_TIMING.ttl}
    loop_wait: ${PATRONI_TIMING.loop_wait}
    retry_timeout: ${PATRONI_TIMING.retry_timeout}
    maximum_lag_on_failover: ${MAXIMUM_LAG_ON_FAILOVER}
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
  initdb:
    - encoding: UTF8
    - auth: trust
postgresql:
  listen: 127.0.0.1:${node.pgPort}
  connect_address: 127.0.0.1:${node.pgPort}
  data_dir: ${node.dir}
  bin_dir: ${postgresBinDir()}
  pgpass: ${node.dir}.pgpass
  authentication:
    superuser:
      username: postgres
      password: drill
    replication:
      username: replicator
      password: drill
    rewind:
      username: postgres
      password: drill
  parameters:
    unix_socket_directories: '${cluster.root}'
    fsync: 'on'
  pg_hba:
${hba.map((line) => `    - ${line}`).join('\n')}
`;
}
