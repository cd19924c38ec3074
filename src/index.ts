/**
 * Starts the API: `bun run start` (or `bun run dev` to restart on changes). With WORKERS above 1,
 * this process only supervises that many server processes sharing the port (src/core/workers.ts).
 */
import { config } from './core/config';
import { isWorker } from './core/workers';

if (config.workers > 1 && !isWorker()) {
  const { superviseWorkers } = await import('./core/workers');
  await superviseWorkers(config.workers);
} else {
  await import('./server');
}
