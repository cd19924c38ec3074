/**
 * `bun run test:postman`: runs the public RealWorld Postman collection with newman against a
 * real listening server, the way any RealWorld client would see it.
 *
 * The server gets a database of its own: a fresh one on TEST_DATABASE_URL's server when that
 * is set (dropped afterwards), else an in-memory embedded one. Prints "N passed, M failed"
 * (newman's assertions) last and exits non-zero when any failed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';

const ROOT = resolve(import.meta.dir, '../..');
const COLLECTION =
  process.env.POSTMAN_COLLECTION ?? resolve(ROOT, '../shared/realworld/Conduit.postman_collection.json');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await Bun.sleep(200);
  }
  throw new Error(`the server did not become ready at ${url}`);
}

if (!existsSync(COLLECTION)) {
  console.error(`Postman collection not found at ${COLLECTION} (set POSTMAN_COLLECTION).`);
  process.exit(1);
}

const serverUrl = process.env.TEST_DATABASE_URL;
const database: TestDatabase | undefined = serverUrl
  ? await createTestDatabase(serverUrl, 'conduit_postman')
  : undefined;
const port = await freePort();
const server = Bun.spawn(['bun', 'src/index.ts'], {
  cwd: ROOT,
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(database ? { DATABASE_URL: database.url } : { DATABASE_URL: '', PGLITE_DATA_DIR: 'memory://' }),
  },
  stdout: 'ignore',
  stderr: 'inherit',
});

const reportDir = mkdtempSync(join(tmpdir(), 'conduit-newman-'));
let passed = 0;
let failed = 0;
try {
  await waitUntilReady(`http://127.0.0.1:${port}/ready`);
  console.log(
    `Running the Postman collection against http://127.0.0.1:${port}/api (${database ? 'PostgreSQL' : 'embedded'})`,
  );
  const username = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const report = join(reportDir, 'report.json');
  const newman = Bun.spawn(
    [
      'node',
      join(ROOT, 'node_modules/newman/bin/newman.js'),
      'run',
      COLLECTION,
      '--global-var',
      `APIURL=http://127.0.0.1:${port}/api`,
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
  server.kill('SIGTERM');
  await server.exited;
  await database?.drop();
  rmSync(reportDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
