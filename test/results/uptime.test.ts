/** Uptime over 24 h and 30 d in fixed buckets, and its persistence across a daemon restart. */
import { describe, expect, it } from 'vitest';
import { Uptime } from '../../src/results/uptime.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { tempDataDir } from '../helpers/notifier.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 1);

describe('uptime buckets', () => {
  it('counts 24 h from hourly and 30 d from daily buckets, forgetting what falls out of each', () => {
    const uptime = new Uptime();
    for (let h = 0; h < 48; h++) uptime.record(T0 + h * HOUR, h >= 24 || h % 2 === 0);
    // The last 24 hours were all up; the 30 days include the half-down first day.
    expect(uptime.last24h(T0 + 47 * HOUR)).toBe(1);
    expect(uptime.last30d(T0 + 47 * HOUR)).toBe(36 / 48);
    expect(uptime.last30d(T0 + 40 * DAY)).toBeUndefined();
  });

  it('restores a snapshot into a fresh counter, adding to what it already holds', () => {
    const before = new Uptime();
    for (let i = 0; i < 10; i++) before.record(T0 + i * 60_000, i !== 3);
    const after = new Uptime();
    after.record(T0 + 11 * 60_000, true);
    after.restore(before.snapshot());
    expect(after.last24h(T0 + HOUR)).toBe(10 / 11);
  });

  it('survives a daemon restart', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dataDir = tempDataDir();
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:\n  - { name: web, kind: http, url: "${target.url}/", interval: 100ms, timeout: 80ms }\n`,
    );
    const first = await startDaemon(dir.path, { dataDir });
    await eventually(() => (first.daemon.results.uptimeOf('web').snapshot().daily[0]?.[1] ?? 0) >= 10, 5_000);
    await first.daemon.stop();
    const saved = first.daemon.results.uptimeOf('web').snapshot().daily[0]![1];

    // Same probe name, now rarely run: what it shows right after start is what was saved.
    dir.write(
      'p.yaml',
      `probes:\n  - { name: web, kind: http, url: "http://127.0.0.1:${await refusedPort()}/", interval: 1h }\n`,
    );
    const second = await startDaemon(dir.path, { dataDir });
    expect(second.daemon.results.uptimeOf('web').snapshot().daily[0]![1]).toBeGreaterThanOrEqual(saved);
    const html = await (await fetch(`${second.daemon.baseUrl}/`)).text();
    expect(html).toMatch(/<td class="num">(100|9\d\.\d\d) %<\/td>/);
  });
});
