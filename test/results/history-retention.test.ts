/**
 * `--history.retention`: how many samples each probe keeps, and the floor the daemon puts under
 * it (the longest rule window), so a short retention never starves a windowed rule.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { ResultStore } from '../../src/results/history.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';

const result = (at: number): ProbeResult =>
  ({ startedAt: at, durationMs: 5, ok: true, facts: {} }) as unknown as ProbeResult;

describe('history retention', () => {
  it('sizes each ring from the retention and the interval', () => {
    const store = new ResultStore(5 * 60_000);
    const spec = { name: 'api', intervalMs: 10_000 };
    store.record(spec, result(0));
    expect(store.get('api')!.capacity).toBe(30);
    store.setRetention(30 * 60_000);
    store.record(spec, result(10_000));
    expect(store.get('api')!.capacity).toBe(180);
  });

  it('keeps at least the longest rule window in the daemon', async () => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: api, kind: tcp, target: "127.0.0.1:1", interval: 10s, timeout: 1s }
rules:
  - { alert: Flaky, severity: warning, signal: error_ratio, window: 1h, op: '>', threshold: 0.5 }
`,
    );
    const { daemon } = await startDaemon(dir.path, { historyRetentionMs: 60_000 });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (daemon.results.get('api')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    expect(daemon.results.get('api')!.capacity).toBe(360); // 1 h at 10 s, not 1 m
  });
});
