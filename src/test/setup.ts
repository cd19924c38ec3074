/**
 * Preloaded before every test file (bunfig.toml): builds the suite's app (./app.ts) before the first
 * test, so that no test's time budget pays for creating and migrating the database, and at the end
 * of the run closes that database, and drops it when the run created one on a server.
 */
import { afterAll } from 'bun:test';
import { closeTestApp, testApp } from './app';

await testApp();
afterAll(closeTestApp);
