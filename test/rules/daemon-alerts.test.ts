/** Alerts end to end in the daemon: real probes against a loopback target whose health the test flips. */
import { describe, expect, it } from 'vitest';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  value: number;
  activeAt: string;
  startsAt?: string;
  endsAt?: string;
}

const RULES = `rules:
  - alert: ProbeDown
    severity: critical
    signal: up
    op: '=='
    threshold: 0
    for: 300ms
    labels: { team: web }
    annotations:
      summary: '{{probe}} is down'
`;

describe('alerts in the daemon', () => {
  it('goes pending → firing → resolved with the target, visible in the API, prismwatch_alerts and the log', async () => {
    let healthy = false;
    const target = await withHttpServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url, interval: '100ms' }]));
    dir.write('rules.yaml', RULES);
    const { daemon, logs } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    const api = async () => (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as ApiAlert[];

    const firing = await eventually(async () =>
      (await api()).find((alert) => alert.status.state === 'firing'),
    );
    expect(firing).toMatchObject({
      labels: { alertname: 'ProbeDown', severity: 'critical', probe: 'web', team: 'web' },
      annotations: { summary: 'web is down' },
      value: 0,
    });
    expect(Date.parse(firing.startsAt!) - Date.parse(firing.activeAt)).toBeGreaterThanOrEqual(300);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(
      sample(metrics, 'prismwatch_alerts', { alertname: 'ProbeDown', alertstate: 'firing', probe: 'web' }),
    ).toBe(1);
    expect(sample(metrics, 'prismwatch_alerts_for_state', { alertname: 'ProbeDown' })).toBe(
      Math.floor(Date.parse(firing.activeAt) / 1000),
    );
    expect(logs.lines.find((line) => line.msg === 'Alert firing')).toMatchObject({
      alert: 'ProbeDown',
      probe: 'web',
      severity: 'critical',
    });

    healthy = true;
    const resolved = await eventually(async () =>
      (await api()).find((alert) => alert.status.state === 'resolved'),
    );
    expect(resolved.endsAt).toBeDefined();
    const after = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(after).not.toContain('prismwatch_alerts{');
    expect(sample(after, 'prismwatch_rule_evaluations_total')).toBeGreaterThan(3);
  });

  it('resolves the alerts of a rule that a reload removes', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url, interval: '100ms' }]));
    dir.write('rules.yaml', RULES.replace('for: 300ms', 'for: 0s'));
    const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    await eventually(() => daemon.alerts.list().some((alert) => alert.state === 'firing'));
    dir.write('rules.yaml', 'rules: []\n');
    await daemon.reload();
    await eventually(() => daemon.alerts.list().every((alert) => alert.state === 'resolved'));
  });
});
