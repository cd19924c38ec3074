/**
 * `bun run test:postman`: runs the public RealWorld Postman collection with newman against a
 * real listening server, the way any RealWorld client would see it.
 *
 * The server gets a database of its own: a fresh one on TEST_DATABASE_URL's server when that
 * is set (dropped afterwards), else an in-memory embedded one. Prints "N passed, M failed"
 * (newman's assertions) last and exits non-zero when any failed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';
import { startServer } from './server';

const ROOT = resolve(import.meta.dir, '../..');
const COLLECTION =
  process.env.POSTMAN_COLLECTION ?? resolve(ROOT, '../shared/realworld/Conduit.postman_collection.json');

if (!existsSync(COLLECTION)) {
  console.error(`Postman collection not found at ${COLLECTION} (set POSTMAN_COLLECTION).`);
  process.exit(1);
}

const serverUrl = process.env.TEST_DATABASE_URL;
const database: TestDatabase | undefined = serverUrl
  ? await createTestDatabase(serverUrl, 'conduit_postman')
  : undefined;
const server = await startServer(database ? { DATABASE_URL: database.url } : {});
const apiUrl = `${server.origin}/api`;

const reportDir = mkdtempSync(join(tmpdir(), 'conduit-newman-'));
let passed = 0;
let failed = 0;
try {
  console.log(`Running the Postman collection against ${apiUrl} (${database ? 'PostgreSQL' : 'embedded'})`);
  const username = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const report = join(reportDir, 'report.json');
  const newman = Bun.spawn(
    [
      'node',
      join(ROOT, 'node_modules/newman/bin/newman.js'),
      'run',
      COLLECTION,
      '--global-var',
      `APIURL=${apiUrl}`,
      '--global-var',
      `USERNAME=${username}`,
      '--global-var',
      `EMAIL=${username}@example.com`,
      '--global-var',
      'PASSWORD=password',
      '--reporters',
      'cli,json',
      '--reporter-json-export',
      report,
      '--color',
      'off',
    ],
    { stdout: 'inherit', stderr: 'inherit' },
  );
  const exitCode = await newman.exited;
  const { run } = JSON.parse(readFileSync(report, 'utf8'));
  failed = run.stats.assertions.failed;
  passed = run.stats.assertions.total - failed;
  if (exitCode !== 0 && failed === 0) failed = 1; // newman failed for another reason (a request error, say)
} finally {
  await server.stop();
  await database?.drop();
  rmSync(reportDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
