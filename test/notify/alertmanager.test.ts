import { describe, expect, it } from 'vitest';
import {
  ALERTMANAGER,
  alertmanagerAvailable,
  startAlertmanager as startAm,
} from '../helpers/alertmanager.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, startNotifier, tempDataDir } from '../helpers/notifier.js';
import { refusedPort } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

const BINARY = ALERTMANAGER;
const available = alertmanagerAvailable;
const startAlertmanager = async (webhookUrl: string) => (await startAm(webhookUrl)).url;

describe('alertmanager integration', () => {
  it('is installed in CI', () => {
    if (process.env.CI === 'true')
      expect(available, `${BINARY} is missing: .ci/run must install the Debian package`).toBe(true);
  });

  it.runIf(available)(
    'posts alerts that a real Alertmanager groups and delivers to its webhook, firing then resolved',
    async () => {
      const sink = await webhookSink();
      const alertmanager = await startAlertmanager(sink.url);
      const { evaluate } = startNotifier(`
route:
  receiver: am
receivers:
  - name: am
    alertmanager_configs:
      - urls: [${alertmanager}]
        resend_interval: 500ms
`);
      const alert = alertFor();
      evaluate([alert]);
      await eventually(() => sink.delivered.length >= 1, 15_000);
      const firing = sink.delivered[0]!.body;
      expect(firing).toMatchObject({ status: 'firing', receiver: 'sink', version: '4' });
      expect(firing.alerts[0]).toMatchObject({
        labels: { alertname: 'HighErrorRate', probe: 'api', severity: 'critical' },
        annotations: { summary: 'api: 7% of requests failing' },
        generatorURL: expect.stringMatching(/^http:\/\/prismwatch\.test:9797\/#alert-[0-9a-f]{16}$/),
      });
      // Active alerts carry an endsAt in the future, so Alertmanager would resolve them if we went away.
      const apiAlerts = (await (await fetch(`${alertmanager}/api/v2/alerts`)).json()) as Array<{
        endsAt: string;
      }>;
      expect(Date.parse(apiAlerts[0]!.endsAt)).toBeGreaterThan(Date.now());

      evaluate([resolved(alert)]);
      await eventually(() => sink.delivered.some((delivery) => delivery.body.status === 'resolved'), 15_000);
      expect(sink.delivered.filter((delivery) => delivery.body.status === 'firing')).toHaveLength(1);
    },
    30_000,
  );

  it.runIf(available)(
    'a daemon forwards a refused target with its reason, value and an absolute link under --web.external-url',
    async () => {
      const sink = await webhookSink();
      const alertmanager = await startAlertmanager(sink.url);
      const dir = configDir();
      dir.write(
        'all.yaml',
        `probes:
  - { name: api, kind: http, url: 'http://127.0.0.1:${await refusedPort()}/health', interval: 200ms }
rules:
  - alert: ProbeDown
    severity: critical
    signal: up
    op: '=='
    threshold: 0
    annotations: { summary: '{{probe}} is down' }
route:
  receiver: am
receivers:
  - name: am
    alertmanager_configs:
      - urls: [${alertmanager}]
        resend_interval: 500ms
`,
      );
      await startDaemon(dir.path, {
        evaluationIntervalMs: 200,
        dataDir: tempDataDir(),
        externalUrl: 'https://prismwatch.example.com',
      });
      await eventually(() => sink.delivered.length >= 1, 15_000);
      const alert = sink.delivered[0]!.body.alerts[0] as {
        generatorURL: string;
        annotations: Record<string, string>;
      };
      // The status page's row of the alert: a page that exists, not a raw JSON API.
      expect(alert.generatorURL).toMatch(/^https:\/\/prismwatch\.example\.com\/#alert-[0-9a-f]{16}$/);
      expect(alert.annotations.summary).toBe('api is down');
      expect(alert.annotations.evidence).toBeTruthy();
      expect(alert.annotations.reason).toMatch(/^connect_refused: connection to 127\.0\.0\.1:\d+ refused/);
    },
    30_000,
  );
});
