/**
 * WORKERS=N: this process supervises N server processes that share the port (SO_REUSEPORT, so the
 * kernel spreads connections across them). A worker that dies is started again, with a growing
 * pause if it keeps dying; SIGTERM or SIGINT is passed to every worker, which drain their
 * in-flight requests, and the supervisor exits 0 once all of them have.
 */
import type { Subprocess } from 'bun';
import type { Settings } from './config';
import { logger } from './logger';
import { aggregateMetrics, type MetricsJson, metricsAsJson, registry } from './metrics';

/** What the supervisor and its workers say to each other (over Bun's IPC channel). */
type Message =
  | { type: 'metrics-request'; id: number }
  | { type: 'metrics-collect'; id: number }
  | { type: 'metrics-json'; id: number; metrics: MetricsJson }
  | { type: 'metrics-text'; id: number; text: string };

/** How long the supervisor waits for every worker's metrics before answering with those it has. */
const GATHER_MS = 2000;

/** Whether this process is one of a supervisor's workers. */
export function isWorker({ workerId }: Pick<Settings, 'workerId'>): boolean {
  return workerId !== undefined;
}

/** How to start this same program again: `bun <script> ...` from source, `<binary> ...` when compiled. */
function ownCommand(): string[] {
  const compiled = process.argv[1]?.startsWith('/$bunfs/');
  return compiled ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.argv.slice(1)];
}

export async function superviseWorkers(count: number): Promise<void> {
  const workers = new Map<number, Subprocess>();
  let stopping = false;
  const gatherings = new Map<number, { requester: Subprocess; replies: MetricsJson[]; done: () => void }>();

  /** A worker was scraped: gather every worker's metrics, sum them, and answer it. */
  const gather = (id: number, requester: Subprocess): void => {
    const alive = [...workers.values()];
    const answer = async () => {
      clearTimeout(timer);
      const gathering = gatherings.get(id);
      gatherings.delete(id);
      if (!gathering) return;
      const text = await aggregateMetrics(gathering.replies);
      requester.send({ type: 'metrics-text', id, text } satisfies Message);
    };
    const timer = setTimeout(answer, GATHER_MS);
    const replies: MetricsJson[] = [];
    gatherings.set(id, { requester, replies, done: () => replies.length >= alive.length && void answer() });
    for (const worker of alive) worker.send({ type: 'metrics-collect', id } satisfies Message);
  };

  const onMessage = (message: Message, child: Subprocess): void => {
    if (message.type === 'metrics-request') gather(message.id, child);
    else if (message.type === 'metrics-json') {
      const gathering = gatherings.get(message.id);
      gathering?.replies.push(message.metrics);
      gathering?.done();
    }
  };

  const start = (id: number, failures = 0): void => {
    const child = Bun.spawn(ownCommand(), {
      env: { ...process.env, CONDUIT_WORKER_ID: String(id) },
      stdio: ['ignore', 'inherit', 'inherit'],
      ipc: (message, subprocess) => onMessage(message as Message, subprocess),
    });
    workers.set(id, child);
    const startedAt = Date.now();
    child.exited.then((code) => {
      workers.delete(id);
      if (stopping) return;
      // A worker that ran for a while starts again at once; one that keeps dying, after a growing pause.
      const streak = Date.now() - startedAt < 5000 ? failures + 1 : 0;
      const pauseMs = Math.min(100 * 2 ** streak, 5000);
      logger.error({ worker: id, exitCode: code, restartInMs: pauseMs }, 'worker exited: starting it again');
      setTimeout(() => stopping || start(id, streak), pauseMs);
    });
  };

  for (let id = 1; id <= count; id++) start(id);
  logger.info({ workers: count, pid: process.pid }, 'supervising server processes');

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping every worker');
    const exits = [...workers.values()].map((child) => {
      child.kill(signal);
      return child.exited;
    });
    await Promise.all(exits);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

let nextRequest = 0;
const waiting = new Map<number, (text: string) => void>();

/**
 * The metrics a scrape should see: this process's own, or under a supervisor every worker's summed
 * (the scrape reached one worker; the supervisor gathers the rest).
 */
export async function hostMetrics(underSupervisor: boolean): Promise<string> {
  if (!underSupervisor || !process.send) return registry.metrics();
  const id = ++nextRequest;
  const text = new Promise<string>((resolve) => {
    waiting.set(id, resolve);
    // A supervisor that does not answer (it is stopping, say): this process's own metrics, then.
    setTimeout(() => {
      if (waiting.delete(id)) registry.metrics().then(resolve);
    }, GATHER_MS + 1000);
  });
  process.send({ type: 'metrics-request', id } satisfies Message);
  return text;
}

/** In a worker: answer the supervisor's requests for this process's metrics, and its answers to ours. */
export function answerSupervisor(): void {
  process.on('message', async (message: Message) => {
    if (message.type === 'metrics-collect') {
      process.send?.({ type: 'metrics-json', id: message.id, metrics: await metricsAsJson() } satisfies Message);
    } else if (message.type === 'metrics-text') {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
}
