/**
 * Starts the API: `bun run start` (or `bun run dev` to restart on changes). With WORKERS above 1,
 * this process only supervises that many server processes sharing the port (src/core/workers.ts).
 */
import { loadSettings } from './core/config';
import { configureLogger } from './core/logger';
import { isWorker, superviseWorkers } from './core/workers';
import { serve } from './server';

export async function main(): Promise<void> {
  const settings = loadSettings();
  configureLogger(settings);
  if (settings.workers > 1 && !isWorker(settings)) await superviseWorkers(settings.workers);
  else await serve(settings);
}

if (import.meta.main) await main();
