/** The deploy files wire migrations the way docs/migrations.md says: one migrator, before the servers. */
import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '..');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

describe('deploy files', () => {
  test('compose runs one migrate job to completion before any api container starts', async () => {
    const compose = Bun.YAML.parse(await Bun.file(resolve(ROOT, 'docker-compose.yml')).text()) as {
      services: Record<string, ComposeService>;
    };
    const { migrate, api } = compose.services;

    expect(migrate?.command).toEqual(['bun', 'src/migrate.ts']);
    expect(migrate?.restart).toBe('no');
    // The migrator needs the database only: no app secret is handed to it.
    expect(Object.keys(migrate?.environment ?? {}).sort()).toEqual(['DATABASE_URL', 'NODE_ENV']);
    expect(api?.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(api?.command).toBeUndefined();
  });

  test("the image serves by default and never migrates on start (that is the migrate job's work)", async () => {
    const dockerfile = await Bun.file(resolve(ROOT, 'Dockerfile')).text();
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));

    expect(cmd).toBe('CMD ["bun", "src/index.ts"]');
    expect(dockerfile).toContain('COPY drizzle ./drizzle');
  });
});
