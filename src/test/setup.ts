/**
 * Preloaded before every test file (bunfig.toml): at the end of the run, closes the database the
 * suite's app used (./app.ts), and drops it when the run created one on a server.
 */
import { afterAll } from 'bun:test';
import { closeTestApp } from './app';

afterAll(closeTestApp);
