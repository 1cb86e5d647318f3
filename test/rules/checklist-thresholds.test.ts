/**
 * The checklist's thresholds end to end: real probes against a loopback target whose behaviour
 * the test switches — healthy → 7 % errors (critical) → healthy (resolved) → 2.5 s responses
 * (warning) → healthy (resolved). Thresholds are the document's (5 %, 2 s); windows are
 * shortened so the test takes seconds, not minutes.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

describe('checklist thresholds with real probes', () => {
  it('7 % errors → critical, 2.5 s latency → warning, recovery → resolved', async () => {
    let mode: 'healthy' | 'errors' | 'slow' = 'healthy';
    let served = 0;
    const target = await withHttpServer((req, res) => {
      served += 1;
      if (req.url === '/slow' && mode === 'slow') {
        setTimeout(() => res.end('slow'), 2_500);
        return;
      }
      // Exactly 7 of every 100 requests fail while in "errors" mode.
      if (req.url === '/api' && mode === 'errors' && served % 100 < 7) return res.writeHead(500).end();
      res.end('ok');
    });
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:
  - { name: api, kind: http, url: "${target.url}/api", interval: 100ms, timeout: 80ms }
  - { name: slow-api, kind: http, url: "${target.url}/slow", interval: 3s, timeout: 2900ms }
`,
    );
    dir.write(
      'rules.yaml',
      `rules:
  - { alert: HighErrorRate, severity: critical, select: { names: [api] }, signal: error_ratio, window: 6s, min_samples: 40, op: '>', threshold: 0.05 }
  - { alert: HighLatency, severity: warning, select: { names: [slow-api] }, signal: latency_p95, window: 4s, min_samples: 1, op: '>', threshold: 2s, resolve_threshold: 1.5s }
`,
    );
    const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    const alert = (name: string) => daemon.alerts.list().find((candidate) => candidate.rule === name);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(daemon.alerts.list()).toEqual([]);

    mode = 'errors';
    const critical = await eventually(
      () => (alert('HighErrorRate')?.state === 'firing' ? alert('HighErrorRate') : undefined),
      10_000,
    );
    expect(critical.labels.severity).toBe('critical');
    expect(critical.value).toBeGreaterThan(0.05);
    expect(critical.value).toBeLessThan(0.1);

    mode = 'healthy';
    await eventually(() => alert('HighErrorRate')?.state === 'resolved', 10_000);

    mode = 'slow';
    const warning = await eventually(
      () => (alert('HighLatency')?.state === 'firing' ? alert('HighLatency') : undefined),
      10_000,
    );
    expect(warning.labels.severity).toBe('warning');
    expect(warning.value).toBeGreaterThanOrEqual(2.5);

    mode = 'healthy';
    await eventually(() => alert('HighLatency')?.state === 'resolved', 12_000);
  }, 240_000);
});
