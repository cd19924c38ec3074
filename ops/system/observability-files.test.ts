/**
 * The files of the compose profile `observability` (Docker does not run here): the Prometheus
 * config and every dashboard query pass promtool, Prometheus sends the token the API requires, the
 * dashboard is one Grafana provisions, and it only asks for metrics the API exposes.
 */
import { describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testApp } from '../../src/test/app';

const ROOT = resolve(import.meta.dir, '../..');
const FILES = join(ROOT, 'ops/observability');

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: {
    title: string;
    type: string;
    datasource: { uid: string };
    targets: { expr: string; datasource: { uid: string } }[];
  }[];
}
const dashboard = (await Bun.file(join(FILES, 'grafana/dashboards/conduit.json')).json()) as Dashboard;
const queries = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
const promtool = Bun.which('promtool');
/** Where the API's metrics token is, for the API and for Prometheus (compose's metrics-token volume). */
const TOKEN_FILE = '/run/conduit/metrics-token';

interface PrometheusConfig {
  scrape_configs: { authorization?: { type: string; credentials_file: string } }[];
}
interface ComposeService {
  profiles?: string[];
  volumes?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

async function composeFile(): Promise<{ services: Record<string, ComposeService> }> {
  return Bun.YAML.parse(await Bun.file(join(ROOT, 'docker-compose.yml')).text()) as {
    services: Record<string, ComposeService>;
  };
}

function run(command: string[]) {
  const result = Bun.spawnSync(command, { stdout: 'pipe', stderr: 'pipe' });
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

describe('the observability profile', () => {
  test('the dashboard is a provisionable Grafana dashboard on the provisioned data source', async () => {
    const datasources = Bun.YAML.parse(
      await Bun.file(join(FILES, 'grafana/provisioning/datasources/prometheus.yml')).text(),
    ) as { datasources: { uid: string }[] };
    const uid = datasources.datasources[0]?.uid ?? 'none provisioned';

    expect(dashboard.uid).toBe('conduit-overview');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    for (const panel of dashboard.panels) {
      expect(panel.type).toBe('timeseries');
      expect(panel.datasource.uid).toBe(uid);
      for (const target of panel.targets) expect(target.datasource.uid).toBe(uid);
    }
  });

  test('every metric the dashboard asks for is one the API exposes', async () => {
    const { app } = await testApp();
    await app.handle(new Request('http://localhost/api/tags'));
    await new Promise((done) => setImmediate(done));
    const exposed = await (await app.handle(new Request('http://localhost/metrics'))).text();
    const names = new Set(
      [...exposed.matchAll(/^# TYPE (\w+) (\w+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name ?? ''],
      ),
    );

    const asked = new Set(queries.flatMap((query) => query.match(/conduit_\w+/g) ?? []));
    expect([...asked].filter((name) => !names.has(name))).toEqual([]);
    for (const panel of [
      'Request rate by route',
      'Error ratio',
      'Latency p99 by route',
      'Database pool',
      'Event-loop lag',
    ]) {
      expect(dashboard.panels.map((p) => p.title)).toContain(panel);
    }
  });

  test.skipIf(!promtool)('promtool accepts the Prometheus config and every dashboard query', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-promtool-'));
    try {
      // promtool also checks that the token file exists: a stand-in for the one compose's volume holds.
      writeFileSync(join(dir, 'metrics-token'), 'token');
      const prometheusConfig = readFileSync(join(FILES, 'prometheus.yml'), 'utf8');
      writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig.replace(TOKEN_FILE, join(dir, 'metrics-token')));
      const config = run([promtool ?? '', 'check', 'config', join(dir, 'prometheus.yml')]);
      expect(config.output).toContain('SUCCESS');

      // Grafana's $__rate_interval becomes a fixed window; each query is checked as a recording rule.
      const rules = queries
        .map(
          (query, i) =>
            `      - record: conduit:dashboard_query_${i}\n        expr: '${query.replaceAll('$__rate_interval', '5m').replaceAll("'", "''")}'`,
        )
        .join('\n');
      writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
      const checked = run([promtool ?? '', 'check', 'rules', join(dir, 'rules.yml')]);
      expect(checked).toMatchObject({ exitCode: 0 });
      expect(checked.output).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Prometheus sends the API the metrics token that compose makes for both', async () => {
    const scrape = (Bun.YAML.parse(readFileSync(join(FILES, 'prometheus.yml'), 'utf8')) as PrometheusConfig)
      .scrape_configs[0];
    const { services } = await composeFile();
    const tokenDir = TOKEN_FILE.slice(0, TOKEN_FILE.lastIndexOf('/'));

    expect(scrape?.authorization).toEqual({ type: 'Bearer', credentials_file: TOKEN_FILE });
    expect(services.api?.environment?.METRICS_TOKEN_FILE).toBe(TOKEN_FILE);
    // One volume: written by the one-shot job before the API starts, read by the API and Prometheus.
    expect(services['metrics-token']?.volumes).toEqual([`metrics-token:${tokenDir}`]);
    expect(services['metrics-token']?.command?.join(' ')).toContain(TOKEN_FILE);
    expect(services.api?.volumes).toContain(`metrics-token:${tokenDir}:ro`);
    expect(services.prometheus?.volumes).toContain(`metrics-token:${tokenDir}:ro`);
    expect(services.api?.depends_on?.['metrics-token']).toEqual({ condition: 'service_completed_successfully' });
  });

  test('compose starts Prometheus and Grafana only with the profile, with these files mounted', async () => {
    const compose = await composeFile();
    for (const name of ['prometheus', 'grafana']) {
      const service = compose.services[name];
      expect(service?.profiles).toEqual(['observability']);
      for (const volume of service?.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source))).toBe(true);
      }
    }
    expect(compose.services.api?.profiles).toBeUndefined();
  });
});
