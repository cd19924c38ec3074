/**
 * Entry of the single-file executable (`bun run build` → dist/conduit):
 *   conduit            serve the API (as `bun run start`)
 *   conduit migrate    apply pending migrations (as `bun run db:migrate`)
 * The migrations and the embedded database engine are inside the binary.
 */
import { main as serve } from './index';
import { main as migrate } from './migrate';

async function main(command = process.argv[2] ?? 'serve'): Promise<void> {
  if (command === 'serve') await serve();
  else if (command === 'migrate') await migrate();
  else {
    console.error(`Unknown command "${command}". Usage: conduit [serve | migrate]`);
    process.exit(2);
  }
}

if (import.meta.main) await main();
