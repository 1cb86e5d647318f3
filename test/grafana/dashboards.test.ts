/**
 * Every Grafana dashboard parses, is current with its generator, takes its datasource from the
 * `datasource` variable, has unique panel ids, and queries only metrics a real prismwatch exports
 * (test/grafana/dashboard-queries.test.ts runs every query against a real Prometheus).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNames } from '../helpers/promql.js';

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

  it('give every kind in the kinds table a panel of its own on the probe dashboard', async () => {
    const { APPLIES_TO } = await import('../../scripts/build-dashboards.mjs');
    const { PROBERS } = await import('../../src/probers/index.js');
    const panels = APPLIES_TO['prismwatch-probe'] ?? {};
    const covered = new Set(Object.values(panels).flat());
    // Its own panels, its phases, its certificate or its HTTP status: a kind that declares none
    // of these is invisible on the dashboard beyond up/down.
    expect(Object.keys(PROBERS).filter((kind) => !covered.has(kind))).toEqual([]);
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
});
