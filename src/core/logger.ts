/**
 * The one logger (pino): JSON lines in production, readable text in development, `LOG_LEVEL`
 * to choose how much. Callers pass facts as fields, never request bodies, passwords or tokens.
 */
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Settings } from './config';

type LogSettings = Pick<Settings, 'production' | 'logLevel' | 'workerId'>;

function build({ production, logLevel, workerId }: LogSettings): pino.Logger {
  // Under WORKERS, each line says which worker wrote it.
  const base = workerId === undefined ? undefined : { worker: Number(workerId) };
  return production
    ? pino({
        level: logLevel,
        base,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      })
    : pino(
        { level: logLevel, base },
        // A synchronous stream (no worker thread): works the same in tests and compiled binaries.
        pretty({
          sync: true,
          singleLine: true,
          colorize: process.stdout.isTTY,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        }),
      );
}

/** Until an entry point configures it: development's format, at info. */
let current: pino.Logger | undefined;
const active = () => {
  current ??= build({ production: false, logLevel: 'info', workerId: undefined });
  return current;
};

/**
 * Chooses the format and level from the settings, for the whole process (its output is the
 * process's): every entry point calls it right after loading them.
 */
export function configureLogger(settings: LogSettings): void {
  current = build(settings);
}

/** Calls the configured logger's method for `level`, whichever logger is configured by then. */
function forward(level: 'debug' | 'info' | 'warn' | 'error'): pino.LogFn {
  return ((...args: unknown[]) => {
    const target = active();
    (target[level] as (...given: unknown[]) => void).apply(target, args);
  }) as pino.LogFn;
}

/** The process's logger: the configured one, whichever module holds this. */
export const logger = {
  debug: forward('debug'),
  info: forward('info'),
  warn: forward('warn'),
  error: forward('error'),
  flush: () => active().flush(),
};

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
