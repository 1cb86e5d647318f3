/**
 * Every Grafana dashboard parses, is current with its generator, takes its datasource from the
 * `datasource` variable, has unique panel ids, and queries only metrics a real prismwatch exports
 * (checked against a scrape of a daemon running every kind the dashboards show).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpsServer } from '../helpers/servers.js';

const DIR = 'grafana/dashboards';
const files = readdirSync(DIR).filter((file) => file.endsWith('.json'));

interface Panel {
  id: number;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

const dashboards = files.map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as {
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  },
}));

const PROMQL_WORDS = new Set(
  'sum count min max avg rate increase irate histogram_quantile time vector or and unless by without on ignoring group_left group_right offset bool label_values abs clamp_min clamp_max'.split(
    ' ',
  ),
);

/** Metric names in a PromQL expression: strings, label matchers, ranges and grouping removed first. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word));
}

describe('grafana dashboards', () => {
  it('reads metric names out of PromQL (so the check below cannot pass vacuously)', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (probe, le) (rate(prismwatch_probe_duration_seconds_bucket{probe=~"a|b"}[5m]))) or vector(0)',
      ),
    ).toEqual(['prismwatch_probe_duration_seconds_bucket']);
    expect(metricNames('count(ALERTS{alertstate="firing"}) / count(probe_success)')).toEqual([
      'ALERTS',
      'probe_success',
    ]);
  });

  it('are current with scripts/build-dashboards.mjs', () => {
    const result = spawnSync(process.execPath, ['scripts/build-dashboards.mjs', '--check'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('parse, use the current schema, template the datasource, and have unique panel ids', () => {
    expect(files.sort()).toEqual([
      'prismwatch-overview.json',
      'prismwatch-probe.json',
      'prismwatch-self.json',
    ]);
    for (const { file, json } of dashboards) {
      expect(json.schemaVersion, file).toBeGreaterThanOrEqual(41);
      expect(json.templating.list[0]).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        query: 'prometheus',
      });
      const ids = json.panels.map((panel) => panel.id);
      expect(new Set(ids).size, `${file}: duplicate panel ids`).toBe(ids.length);
      for (const panel of json.panels) {
        expect(panel.datasource?.uid, `${file} "${panel.title}"`).toBe('${datasource}');
        for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('${datasource}');
      }
    }
    const text = dashboards.map(({ json }) => JSON.stringify(json)).join('\n');
    expect(text).not.toMatch(/"uid":"(?!\$\{datasource\}|prismwatch-)[^"]+"/);
  });

  it('ship provisioning for a stock Grafana: a Prometheus datasource and a file provider', () => {
    const datasource = parse(readFileSync('grafana/provisioning/datasources/prismwatch.yaml', 'utf8'));
    expect(datasource.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy' });
    const provider = parse(readFileSync('grafana/provisioning/dashboards/prismwatch.yaml', 'utf8'));
    expect(provider.providers[0]).toMatchObject({ type: 'file', folder: 'prismwatch' });
  });

  it('query only metrics prismwatch really exports', async () => {
    const ca = await makeCa();
    const site = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html', 'strict-transport-security': 'max-age=31536000' })
        .end('<html></html>'),
    );
    const caFile = writeCaFile(ca);
    const dir = configDir();
    dir.write(
      'all.yaml',
      `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 200ms, tls: { ca_file: "${caFile}" } }
  - { name: cert, kind: tls, target: "127.0.0.1:${site.port}", interval: 200ms, tls: { ca_file: "${caFile}" } }
  - { name: grade, kind: security_headers, url: "${site.url}/", http_url: false, interval: 1s, tls: { ca_file: "${caFile}" } }
  - { name: host, kind: host, interval: 200ms }
  - { name: down, kind: http, url: "http://127.0.0.1:1/", interval: 200ms }
rules:
  - { alert: Down, severity: critical, signal: up, op: '==', threshold: 0 }
  - { alert: AlwaysOn, severity: warning, signal: up, op: '>=', threshold: 0 }
`,
    );
    const { scrape } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    const text = await eventually(async () => {
      const body = await scrape();
      const ready =
        sample(body, 'probe_success', { probe: 'grade' }) !== undefined &&
        sample(body, 'probe_success', { probe: 'cert' }) === 1 &&
        body.includes('prismwatch_alerts{alertname="Down"');
      return ready ? body : undefined;
    }, 10_000);
    const families = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    const exported = (name: string) => {
      if (families.has(name)) return true;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return base !== name && (families.get(base) === 'histogram' || families.get(base) === 'summary');
    };
    const missing: string[] = [];
    for (const { file, json } of dashboards) {
      for (const panel of json.panels) {
        for (const target of panel.targets ?? []) {
          for (const name of metricNames(target.expr))
            if (!exported(name)) missing.push(`${file} "${panel.title}": ${name}`);
        }
      }
      for (const variable of json.templating.list) {
        const query = (variable.query as { query?: string } | undefined)?.query;
        const metric = query && /label_values\((\w+)/.exec(query)?.[1];
        if (metric && !exported(metric)) missing.push(`${file} variable ${variable.name}: ${metric}`);
      }
    }
    expect(missing).toEqual([]);
  }, 30_000);
});
