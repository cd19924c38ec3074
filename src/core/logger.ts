/**
 * The one logger (pino): JSON lines in production, readable text in development, `LOG_LEVEL`
 * to choose how much. Callers pass facts as fields, never request bodies, passwords or tokens.
 */
import pino from 'pino';
import pretty from 'pino-pretty';
import { config } from './config';

/** Under WORKERS, each line says which worker wrote it. */
const workerBase = config.workerId === undefined ? undefined : { worker: Number(config.workerId) };

export const logger = config.production
  ? pino({
      level: config.logLevel,
      base: workerBase,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    })
  : pino(
      { level: config.logLevel, base: workerBase },
      // A synchronous stream (no worker thread): works the same in tests and compiled binaries.
      pretty({
        sync: true,
        singleLine: true,
        colorize: process.stdout.isTTY,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      }),
    );

const lastWarned = new Map<string, number>();

/**
 * A warning for a failure that repeats on every request while it lasts (an outage, a database that
 * will not answer readiness): logged once every few seconds, with the innermost cause's message.
 */
export function warnNowAndThen(message: string, error: unknown, everyMs = 5000): void {
  const now = Date.now();
  if (now - (lastWarned.get(message) ?? 0) < everyMs) return;
  lastWarned.set(message, now);
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  logger.warn({ cause: root instanceof Error ? root.message : String(root) }, message);
}
