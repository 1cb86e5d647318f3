/**
 * An HA pair: two prismwatch replicas with the same config (`--notify.mode forward-only`) forward
 * to both peers of a real Alertmanager cluster (two prometheus-alertmanager processes gossiping).
 * Their alerts carry identical labels, so Alertmanager sends the notification once while both
 * run, and still once when either replica is stopped; the replicas' own webhook stays silent.
 */
import { describe, expect, it } from 'vitest';
import { alertmanagerAvailable, startAlertmanagerPair } from '../helpers/alertmanager.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { refusedPort } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const firing = (sink: Awaited<ReturnType<typeof webhookSink>>) =>
  sink.delivered.filter((delivery) => (delivery.body as { status?: string }).status === 'firing');

describe('an HA pair behind an Alertmanager cluster', () => {
  it('is run in CI', () => {
    if (process.env.CI === 'true')
      expect(alertmanagerAvailable, 'prometheus-alertmanager is missing: .ci/run must install it').toBe(true);
  });

  it.runIf(alertmanagerAvailable)(
    'notifies once while both replicas run, and still once after either stops',
    async () => {
      const sink = await webhookSink();
      const direct = await webhookSink();
      const peers = await startAlertmanagerPair(sink.url);
      const dir = configDir();
      dir.write(
        'p.yaml',
        `probes:
  - { name: api, kind: tcp, target: "127.0.0.1:${await refusedPort()}", interval: 200ms, timeout: 150ms, labels: { service: api } }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0 }
route: { receiver: cluster, group_wait: 0s, group_interval: 500ms }
receivers:
  - name: cluster
    alertmanager_configs: [{ urls: [${peers.map((peer) => peer.url).join(', ')}], resend_interval: 500ms }]
    webhook_configs: [{ url: "${direct.url}" }]
`,
      );
      const replicas = [
        await startDaemon(dir.path, { notifyMode: 'forward-only', evaluationIntervalMs: 200 }),
        await startDaemon(dir.path, { notifyMode: 'forward-only', evaluationIntervalMs: 200 }),
      ];
      await eventually(() => firing(sink).length >= 1, 45_000);
      // Long enough for a duplicate to show: the second peer's dedup wait (peer timeout 6 s) and
      // several group intervals pass.
      await sleep(9_000);
      expect(firing(sink)).toHaveLength(1);

      await replicas[0]!.daemon.stop();
      await sleep(9_000);
      expect(firing(sink)).toHaveLength(1);
      expect(
        sink.delivered.filter((delivery) => (delivery.body as { status?: string }).status === 'resolved'),
      ).toHaveLength(0);
      expect(direct.delivered).toHaveLength(0);
      const alerts = (await (await fetch(`${peers[1]!.url}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
      }>;
      expect(alerts.map((alert) => alert.labels.alertname)).toEqual(['ProbeDown']);
    },
    120_000,
  );
});
