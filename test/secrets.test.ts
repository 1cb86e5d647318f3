/**
 * Secrets never leak: a database password and an HTTP bearer token, given through the
 * environment, appear in no log line, no metric and no API answer, even while the probes fail.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from './helpers/config-dir.js';
import { startDaemon } from './helpers/daemon.js';
import { eventually } from './helpers/metrics.js';
import { withHttpServer } from './helpers/servers.js';

const PASSWORD = 'pw-7f3a9c-never-print';
const TOKEN = 'tok-51be02-never-print';

describe('secrets', () => {
  it('stay out of logs, metrics and the API while probes fail', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(401).end());
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: db, kind: postgres, interval: 200ms, url: "\${TEST_DB_URL}" }
  - { name: cache, kind: redis, interval: 200ms, url: "\${TEST_REDIS_URL}" }
  - { name: api, kind: http, interval: 200ms, url: "${target.url}/v1?token=\${TEST_TOKEN}", auth: { bearer: "\${TEST_TOKEN}" } }
rules:
  - { alert: Down, severity: critical, signal: up, op: '==', threshold: 0, annotations: { summary: '{{probe}} down' } }
`,
    );
    const { daemon, logs } = await startDaemon(dir.path, {
      logLevel: 'debug',
      evaluationIntervalMs: 100,
      env: {
        TEST_DB_URL: `postgres://nobody:${PASSWORD}@127.0.0.1:5432/postgres`,
        TEST_REDIS_URL: `redis://nobody:${PASSWORD}@127.0.0.1:6379`,
        TEST_TOKEN: TOKEN,
      },
    });
    await eventually(
      () => daemon.alerts.list().filter((alert) => alert.state === 'firing').length === 3,
      10_000,
    );
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    const alerts = await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).text();
    const probes = await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).text();
    expect(probes).toContain('token=<redacted>');
    for (const text of [logs.text(), metrics, alerts, probes]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
    expect(logs.lines.some((line) => line.failure === 'auth_failed')).toBe(true);
  });
});
