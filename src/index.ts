/** Starts the HTTP server: `bun run start` (or `bun run dev` to restart on changes). */
import { app } from './app';
import { config } from './core/config';
import { databaseDescription, disconnectDatabase } from './health/health.repository';

if (config.jwt.usingDevelopmentSecret) {
  console.warn('JWT_SECRET is not set: signing tokens with the development secret. Never do this in production.');
}

app.listen({ hostname: config.host, port: config.port, maxRequestBodySize: 1024 * 1024 });
console.log(`Conduit API listening on http://${config.host}:${config.port}/api (${databaseDescription()})`);

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal} received: closing the server and the database`);
  await app.stop();
  await disconnectDatabase();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
