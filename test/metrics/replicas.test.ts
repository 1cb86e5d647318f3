/**
 * Two prismwatch processes probing the same targets, scraped by a real Prometheus with the
 * documented scrape config: their series stay apart (a `replica` label from the scrape address),
 * so rate() reads each replica's real rate with no counter resets, and an exported rule that
 * both replicas satisfy is one alert. Under the old config the two merged into one series:
 * Prometheus saw 11 resets a minute and rate() read 6.55/s for a probe run 0.091 times a second.
 */
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

describe('two replicas behind one Prometheus', () => {
  it('is run in CI', () => requirePrometheus());

  it.runIf(prometheusAvailable)(
    'keeps each replica its own series: rate() matches each one, no resets, one alert per probe',
    async () => {
      const site = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 500ms, timeout: 400ms }
  - { name: gone, kind: tcp, target: "127.0.0.1:${await refusedPort()}", interval: 500ms, timeout: 400ms }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0 }
`,
      );
      const a = await startDaemon(dir.path);
      const b = await startDaemon(dir.path);
      const config = loadConfig([dir.path], {});
      const { yaml } = exportPrometheusRules(config.rules, config.probes);
      const hostPort = (base: string) => base.replace('http://', '');
      const prometheus = await startPrometheus({
        scrapeConfigs: prismwatchScrape(hostPort(a.daemon.baseUrl), hostPort(b.daemon.baseUrl)),
        rules: yaml,
      });
      const runs = 'prismwatch_probe_duration_seconds_count{probe="web"}';
      await eventually(
        async () =>
          (await prometheus.query(`count_over_time(${runs}[20s])`)).every((s) => s.value >= 20) &&
          (await prometheus.query(runs)).length === 2,
      );
      const series = await prometheus.query(runs);
      expect(new Set(series.map((sample) => sample.metric.replica))).toEqual(
        new Set([hostPort(a.daemon.baseUrl), hostPort(b.daemon.baseUrl)]),
      );
      expect(series.every((sample) => sample.metric.instance === 'web')).toBe(true);
      // The truth: each replica runs the probe twice a second.
      for (const sample of await prometheus.query(`rate(${runs}[15s])`)) {
        expect(sample.value).toBeGreaterThan(1.2);
        expect(sample.value).toBeLessThan(2.8);
      }
      for (const sample of await prometheus.query(`resets(${runs}[20s])`)) expect(sample.value).toBe(0);
      // Both replicas see "gone" down: one ProbeDown, without a replica label.
      await eventually(async () => (await prometheus.alerts()).some((alert) => alert.state === 'firing'));
      const alerts = (await prometheus.alerts()).filter((alert) => alert.labels.alertname === 'ProbeDown');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.labels.probe).toBe('gone');
      expect(alerts[0]!.labels.replica).toBeUndefined();
    },
  );
});
