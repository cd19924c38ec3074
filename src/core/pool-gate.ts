/**
 * Admission to the database pool. postgres.js has no acquire timeout, and with every connection busy
 * it pipelines a statement onto a busy connection: behind a statement stuck on a lock, an unrelated
 * one waits as long as the lock lasts. So every repository operation first takes a place here (its
 * statements run one after another; a transaction's on one connection):
 *
 * - it waits for a place at most DB_POOL_WAIT_MS; then its request is answered 503 (`PoolRefusal`);
 * - while nothing is stuck, up to PIPELINE_DEPTH operations share a connection (pipelining is what
 *   keeps PostgreSQL busy while the app turns answers into responses); once an operation has held its
 *   place longer than STALL_MS, one per connection, so that a new operation always finds an idle
 *   connection and never queues behind the stuck one;
 * - one kind of operation (its name, `articles.findArticle`) holds at most DB_POOL_SHARE (half) of the
 *   connections, unless it is flowing (one of its operations finished within STALL_MS, in the last
 *   STALL_MS): a busy route may use the whole pool, but a burst on a table that is stuck cannot take
 *   every connection from the rest;
 * - an instance that has turned an operation away with no place free at all is `saturated` for a few
 *   seconds after (GET /ready says so): a refusal means a whole DB_POOL_WAIT_MS of an exhausted pool,
 *   never a passing spike.
 *
 * The embedded database is one connection: one place, every kind may take it.
 */

import type { ReadFrom } from './connection';
import type { DatabaseConfig } from './db-settings';
import { DatabaseUnavailable, RETRY_SHORTLY } from './errors';

/** Operations that may share one connection while nothing is stuck. */
const PIPELINE_DEPTH = 64;
/** An operation holding its place longer than this is stuck; one finishing sooner shows its kind flows. */
export const STALL_MS = 100;
/** How long a refusal with no place free keeps the instance reported saturated. */
export const SATURATION_HOLD_MS = 5000;

/** 503 for an operation that got no place: busy (retry in a second), or shutting down. */
export class PoolRefusal extends DatabaseUnavailable {
  constructor(
    /** `full`: no place was free; `share`: its kind held its share; `closed`: the server is stopping. */
    readonly reason: 'full' | 'share' | 'closed',
    readonly retryAfterSeconds = reason === 'closed' ? 2 : 1,
  ) {
    super(reason === 'closed' ? RETRY_SHORTLY.unavailable : RETRY_SHORTLY.busy, retryAfterSeconds);
  }
}

/** The places one kind of operation holds, and when one of its operations last finished quickly. */
export interface Kind {
  readonly name: string;
  held: number;
  quickAt: number;
}

/** One operation's place, in the order they were taken (the gate keeps the list: the oldest is first). */
export interface Place {
  readonly kind: Kind;
  readonly admittedAt: number;
  older: Place | undefined;
  newer: Place | undefined;
}

interface Waiter {
  kind: Kind;
  admit: () => void;
  refuse: (refusal: PoolRefusal) => void;
  timer: Timer;
}

export class PoolGate {
  /** Places taken. */
  inUse = 0;
  /** Operations waiting for a place, oldest first. */
  readonly waiting: Waiter[] = [];
  readonly kindLimit: number;
  private readonly pipelined: number;
  private readonly kinds = new Map<string, Kind>();
  private oldest: Place | undefined;
  private newest: Place | undefined;
  private lastFullAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    readonly connections: number,
    readonly waitMs: number,
    /** The share of the connections one kind may hold when it is not flowing, in percent. */
    sharePercent = 50,
    depth = PIPELINE_DEPTH,
  ) {
    this.kindLimit = Math.max(1, Math.ceil((connections * sharePercent) / 100));
    this.pipelined = connections * depth;
  }

  kind(name: string): Kind {
    let kind = this.kinds.get(name);
    if (kind === undefined) {
      kind = { name, held: 0, quickAt: Number.NEGATIVE_INFINITY };
      this.kinds.set(name, kind);
    }
    return kind;
  }

  /**
   * Takes a place now if there is one for this kind (then `admitted` must follow). Waiting operations
   * never lose theirs to it: after every release, each waiter that could take a place has taken one.
   */
  tryEnter(kind: Kind): boolean {
    if (this.closed) throw new PoolRefusal('closed');
    // The usual case, decided without reading the clock: a connection and the kind's share are free.
    if (!(this.inUse < this.connections && kind.held < this.kindLimit) && !this.mayEnter(kind, performance.now())) {
      return false;
    }
    this.inUse++;
    kind.held++;
    return true;
  }

  /** Waits for a place, at most `waitMs`; rejects with a PoolRefusal. */
  enter(kind: Kind): Promise<void> {
    if (this.tryEnter(kind)) return Promise.resolve();
    return new Promise((admit, refuse) => {
      const waiter: Waiter = { kind, admit, refuse, timer: setTimeout(() => this.refuse(waiter), this.waitMs) };
      this.waiting.push(waiter);
    });
  }

  /** The operation that took the place `tryEnter` or `enter` gave its kind is under way. */
  admitted(place: Place): void {
    place.older = this.newest;
    if (this.newest) this.newest.newer = place;
    else this.oldest = place;
    this.newest = place;
  }

  /** The operation is over (at `now`): its place goes to the oldest waiter that may take it. */
  leave(place: Place, now: number): void {
    const { kind, older, newer } = place;
    if (older) older.newer = newer;
    else this.oldest = newer;
    if (newer) newer.older = older;
    else this.newest = older;
    this.inUse--;
    kind.held--;
    if (now - place.admittedAt < STALL_MS) kind.quickAt = now;
    if (this.waiting.length > 0) this.admitWaiters(now);
  }

  /** Operations beyond the connections: pipelined behind another on a busy connection. */
  get queuedOnConnections(): number {
    return Math.max(0, this.inUse - this.connections);
  }

  /** True while a refusal with no place free is recent. */
  get saturated(): boolean {
    return performance.now() - this.lastFullAt < SATURATION_HOLD_MS;
  }

  /** From now on every operation is refused (a shutdown); those waiting are refused at once. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.refuse(new PoolRefusal('closed'));
    }
  }

  /** Places in all: several operations per connection while none is stuck, else one per connection. */
  private capacity(now: number): number {
    const stuck = this.oldest !== undefined && now - this.oldest.admittedAt > STALL_MS;
    return stuck ? this.connections : this.pipelined;
  }

  private mayEnter(kind: Kind, now: number): boolean {
    if (this.inUse >= this.capacity(now)) return false;
    return kind.held < this.kindLimit || now - kind.quickAt < STALL_MS;
  }

  /** Oldest first, each waiter that may take a place now takes it. */
  private admitWaiters(now: number): void {
    for (let i = 0; i < this.waiting.length && this.inUse < this.capacity(now); ) {
      const waiter = this.waiting[i] as Waiter;
      if (!this.mayEnter(waiter.kind, now)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      this.inUse++;
      waiter.kind.held++;
      waiter.admit();
    }
  }

  private refuse(waiter: Waiter): void {
    this.waiting.splice(this.waiting.indexOf(waiter), 1);
    const now = performance.now();
    const full = this.inUse >= this.capacity(now);
    if (full) this.lastFullAt = now;
    waiter.refuse(new PoolRefusal(full ? 'full' : 'share'));
  }
}

/** A database's gates: the primary's, and the replicas' (the primary's again when there are none). */
export class PoolGates {
  /** The primary's pool (the embedded database: its one connection). */
  private readonly primary: PoolGate;
  /** The replicas' pools together: reads spread over them in turn. */
  private readonly replicas: PoolGate;
  private readonly all: PoolGate[];

  constructor({
    url,
    poolMax,
    poolWaitMs,
    poolSharePercent,
    replicaUrls,
  }: Pick<DatabaseConfig, 'url' | 'poolMax' | 'poolWaitMs' | 'poolSharePercent' | 'replicaUrls'>) {
    this.primary = url ? new PoolGate(poolMax, poolWaitMs, poolSharePercent) : new PoolGate(1, poolWaitMs, 100, 1);
    this.replicas =
      replicaUrls.length > 0 ? new PoolGate(poolMax * replicaUrls.length, poolWaitMs, poolSharePercent) : this.primary;
    this.all = this.primary === this.replicas ? [this.primary] : [this.primary, this.replicas];
  }

  /** The gate of the database an operation reads from (or writes to: the primary). */
  gateFor(readFrom: ReadFrom): PoolGate {
    return readFrom === 'primary' ? this.primary : this.replicas;
  }

  /**
   * Operations under way (`inUse`: each holds a place), connections they keep busy, and operations
   * waiting: at the gate, or pipelined behind another on a busy connection.
   */
  state(): PoolState {
    let inUse = 0;
    let busyConnections = 0;
    let waiting = 0;
    for (const gate of this.all) {
      inUse += gate.inUse;
      busyConnections += Math.min(gate.inUse, gate.connections);
      waiting += gate.waiting.length + gate.queuedOnConnections;
    }
    return { inUse, busyConnections, waiting };
  }

  /** True when some operation was recently turned away for want of any free connection. */
  get saturated(): boolean {
    return this.all.some((gate) => gate.saturated);
  }

  /** A shutdown: no operation starts from now on. */
  close(): void {
    for (const gate of this.all) gate.close();
  }
}

export interface PoolState {
  inUse: number;
  busyConnections: number;
  waiting: number;
}
