/**
 * `--location`: every probe series, result and alert of an instance carries `location`, so the
 * exported quorum rules can count the locations that see a failure.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

describe('--location', () => {
  it('labels series, probes and alerts with the location', async () => {
    // A target that answers 503, not a "refused" port: a port found closed can be taken by another
    // test's server in the meantime (the stressed suite once saw this probe succeed for 60 s).
    const failing = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: api, kind: http, url: "${failing.url}/", interval: 200ms, labels: { service: api } }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0 }
`,
    );
    const { daemon, scrape } = await startDaemon(dir.path, {
      location: 'eu-west',
      evaluationIntervalMs: 100,
    });
    await eventually(
      async () => sample(await scrape(), 'probe_success', { probe: 'api', location: 'eu-west' }) === 0,
    );
    const probes = (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{
      labels: Record<string, string>;
    }>;
    expect(probes[0]!.labels).toEqual({ service: 'api', location: 'eu-west' });
    await eventually(async () => {
      const alerts = (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
        labels: Record<string, string>;
      }>;
      return alerts.some(
        (alert) => alert.labels.alertname === 'ProbeDown' && alert.labels.location === 'eu-west',
      );
    });
  });
});
