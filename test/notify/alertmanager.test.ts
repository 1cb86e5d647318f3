/**
 * The `alertmanager` integration against Debian's real prometheus-alertmanager on loopback:
 * prismwatch posts to its /api/v2/alerts, Alertmanager groups and sends to its own webhook
 * receiver (our sink). In CI the binary must be present; a silent skip would hide a missing step.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, startNotifier, tempDataDir } from '../helpers/notifier.js';
import { refusedPort } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

const BINARY = 'prometheus-alertmanager';
const available = spawnSync(BINARY, ['--version'], { encoding: 'utf8' }).status === 0;

async function startAlertmanager(webhookUrl: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-am-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: sink
  group_by: [alertname, probe]
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sink
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: true
`,
  );
  const port = await refusedPort();
  const child = spawn(
    BINARY,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  onTestFinished(() => {
    child.kill('SIGTERM');
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/-/ready`)).ok, 15_000).catch((error) => {
    throw new Error(`alertmanager did not become ready: ${String(error)}\n${stderr}`);
  });
  return url;
}

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
        generatorURL: 'http://prismwatch.test:9797/api/v1/probes/api/results',
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
      expect(alert.generatorURL).toBe('https://prismwatch.example.com/api/v1/probes/api/results');
      expect(alert.annotations.summary).toBe('api is down');
      expect(alert.annotations.evidence).toBeTruthy();
      expect(alert.annotations.reason).toMatch(/^connect_refused: connection to 127\.0\.0\.1:\d+ refused/);
    },
    30_000,
  );
});
