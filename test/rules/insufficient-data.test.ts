/**
 * A windowed rule that has not watched its probe for a whole window says so, instead of judging
 * a few runs as the window: the API's probe entry and the status page name it with the time left,
 * and it fires only once the window is covered.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';

describe('insufficient data', () => {
  it('is said on the API and the page until the window is covered, then the rule judges', async () => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: api, kind: tcp, target: "127.0.0.1:1", interval: 200ms, timeout: 150ms }
rules:
  - { alert: HighErrorRate, severity: critical, signal: error_ratio, window: 1h, min_samples: 1, op: '>', threshold: 0.05 }
  - { alert: Flaky, severity: warning, signal: error_ratio, window: 2s, min_samples: 1, op: '>', threshold: 0.05 }
`,
    );
    const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    type Probe = { name: string; insufficientData?: Array<{ alert: string; runs: number; readyIn: string }> };
    const probe = async () =>
      ((await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Probe[])[0]!;
    // Every run fails, but an hour's window is not judged on a few seconds of them.
    await eventually(async () => ((await probe()).insufficientData ?? []).some((entry) => entry.runs >= 3));
    const waiting = (await probe()).insufficientData!.find((entry) => entry.alert === 'HighErrorRate')!;
    expect(waiting.readyIn).toMatch(/^59m\d*s?$|^1h$/);
    const page = await (await fetch(`${daemon.baseUrl}/`)).text();
    expect(page).toMatch(
      /Insufficient data: [12] rules? cannot judge yet, until prismwatch has watched their window: HighErrorRate on <a href="#probe-api">api<\/a> \(60 min\)/,
    );
    // The 2 s window is covered within seconds: Flaky judges, and fires; HighErrorRate still waits.
    await eventually(async () => {
      const alerts = (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
        labels: { alertname: string };
        status: { state: string };
      }>;
      return alerts.some((alert) => alert.labels.alertname === 'Flaky' && alert.status.state === 'firing');
    });
    const alerts = (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
      labels: { alertname: string };
    }>;
    expect(alerts.some((alert) => alert.labels.alertname === 'HighErrorRate')).toBe(false);
  });
});
