/**
 * prismwatch as a Prometheus user runs it: Debian's real Prometheus scrapes the daemon every
 * second (the documented scrape config (docs/metrics.md)) with the output of `rules export` loaded.
 * - One writer per series: prismwatch's alerts are prismwatch_alerts, Prometheus's are ALERTS;
 *   each panel of the overview dashboard that counts alerts counts every alert once, and agrees
 *   with GET /api/v1/alerts (once these were both ALERTS and the dashboard counted 10 for 9).
 * - Exported rules select by labels: a probe added after the export fires in Prometheus.
 * - Each probe's series is its own `instance`; prismwatch's own series keep the scrape's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import {
  prismwatchScrape,
  prometheusAvailable,
  requirePrometheus,
  startPrometheus,
} from '../helpers/prometheus.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const overview = JSON.parse(readFileSync('grafana/dashboards/prismwatch-overview.json', 'utf8')) as {
  panels: Panel[];
};

/** Panels of the overview that count alerts, with their one query, as Grafana fills "All" in. */
const alertPanels = overview.panels.flatMap((panel) =>
  (panel.targets ?? [])
    .filter((target) => /\b(prismwatch_alerts|ALERTS)\b/.test(target.expr))
    .map((target) => ({
      title: panel.title,
      expr: target.expr.replaceAll('$job', '(prismwatch)').replaceAll('$location', '.*'),
    })),
);

const RULES = `rules:
  - alert: ProbeDown
    severity: critical
    select: { kinds: [http] }
    signal: up
    op: '=='
    threshold: 0
  - alert: HighErrorRate
    severity: critical
    select: { labels: { team: core } }
    signal: error_ratio
    window: 10s
    min_samples: 3
    op: '>'
    threshold: 0.05
  - alert: Watched
    severity: warning
    signal: up
    op: '>='
    threshold: 0
`;

function probesYaml(refused: number, okUrl: string, failingUrl: string, late: boolean): string {
  return `probes:
  - { name: healthy, kind: http, url: "${okUrl}", interval: 200ms, labels: { team: core } }
  - { name: failing, kind: http, url: "${failingUrl}", interval: 200ms, labels: { team: core } }
  - { name: refused, kind: http, url: "http://127.0.0.1:${refused}/", interval: 200ms }
${late ? `  - { name: late, kind: http, url: "http://127.0.0.1:${refused}/late", interval: 200ms, labels: { team: core } }\n` : ''}`;
}

/** Firing alerts by severity, as prismwatch's API says. */
async function apiFiring(baseUrl: string): Promise<Record<string, number>> {
  const alerts = (await (await fetch(`${baseUrl}/api/v1/alerts`)).json()) as Array<{
    labels: Record<string, string>;
    status: { state: string };
  }>;
  const counts: Record<string, number> = {};
  for (const alert of alerts)
    if (alert.status.state === 'firing')
      counts[alert.labels.severity!] = (counts[alert.labels.severity!] ?? 0) + 1;
  return counts;
}

describe('prismwatch under a real Prometheus', () => {
  it('is run in CI', () => requirePrometheus());

  it.runIf(prometheusAvailable)(
    'counts each alert once, follows new probes without re-export, and gives each probe its instance',
    async () => {
      expect(alertPanels.map((panel) => panel.title)).toEqual([
        'Critical alerts firing',
        'Warnings firing',
        'Firing alerts by severity',
        'Firing alerts by severity',
      ]);
      const ok = await withHttpServer((_req, res) => res.end('ok'));
      const failing = await withHttpServer((_req, res) => res.writeHead(500).end('no'));
      const refused = await refusedPort();
      const dir = configDir();
      dir.write('rules.yaml', RULES);
      dir.write('probes.yaml', probesYaml(refused, ok.url, failing.url, false));
      const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 200 });
      const config = loadConfig([dir.path], {});
      const exported = exportPrometheusRules(config.rules, config.probes);
      const host = new URL(daemon.baseUrl).host;
      const prometheus = await startPrometheus({
        scrapeConfigs: prismwatchScrape(host),
        rules: exported.yaml,
      });

      // prismwatch: ProbeDown and HighErrorRate for failing and refused... except that
      // HighErrorRate selects team=core, so refused has only ProbeDown; Watched on all three.
      const expected = { critical: 3, warning: 3 };
      await eventually(
        async () => {
          const api = await apiFiring(daemon.baseUrl);
          const firing = await prometheus.query('count by (alertname) (ALERTS{alertstate="firing"})');
          const prom = Object.fromEntries(firing.map((s) => [s.metric.alertname, s.value]));
          return JSON.stringify(api) === JSON.stringify(expected) &&
            prom.ProbeDown === 2 &&
            prom.HighErrorRate === 1 &&
            prom.Watched === 3
            ? true
            : undefined;
        },
        45_000,
        250,
      );
      await eventually(
        async () => {
          // Each query counts one severity: every panel must say what the API says.
          for (const panel of alertPanels) {
            const severity = /severity="(\w+)"/.exec(panel.expr)![1] as keyof typeof expected;
            const result = await prometheus.query(panel.expr);
            if (result.length !== 1 || result[0]!.value !== expected[severity]) return undefined;
          }
          return true;
        },
        20_000,
        250,
      );
      // One writer per series: a series written by two scrapers would have twice the samples.
      const forState = await prometheus.query('max(count_over_time(prismwatch_alerts_for_state[5s]))');
      expect(forState[0]!.value).toBeLessThanOrEqual(6);
      const promForState = await prometheus.query('max(count_over_time(ALERTS_FOR_STATE[5s]))');
      expect(promForState[0]!.value).toBeLessThanOrEqual(6);
      // Each alert has one series per name (no two label sets for one alert).
      const duplicates = await prometheus.query(
        'count by (alertname, probe) (prismwatch_alerts{alertstate="firing"}) > 1',
      );
      expect(duplicates).toEqual([]);

      // Each probe is its own instance; the daemon's own series keep the scrape's instance.
      const instances = await prometheus.query('count by (instance, kind) (probe_success)');
      expect(instances.map((s) => s.metric.instance).sort()).toEqual(['failing', 'healthy', 'refused']);
      expect(instances.every((s) => s.metric.kind === 'http' && s.value === 1)).toBe(true);
      const self = await prometheus.query('prismwatch_config_last_reload_successful');
      expect(self.map((s) => s.metric.instance)).toEqual([host]);

      // A probe added after the export: Prometheus fires for it with the same rules loaded.
      dir.write('probes.yaml', probesYaml(refused, ok.url, failing.url, true));
      expect((await daemon.reload()).ok).toBe(true);
      await eventually(
        async () => {
          const alerts = await prometheus.alerts();
          const late = alerts.filter((alert) => alert.labels.probe === 'late' && alert.state === 'firing');
          return late.some((a) => a.labels.alertname === 'ProbeDown') &&
            late.some((a) => a.labels.alertname === 'HighErrorRate')
            ? true
            : undefined;
        },
        45_000,
        250,
      );
      await eventually(
        async () => {
          const api = await apiFiring(daemon.baseUrl);
          const [critical] = await prometheus.query(alertPanels[0]!.expr);
          return api.critical === 5 && critical?.value === 5 ? true : undefined;
        },
        20_000,
        250,
      );
    },
    120_000,
  );
});
