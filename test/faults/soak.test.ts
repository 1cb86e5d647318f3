/**
 * The soak, short (CI): 150 probes (healthy, failing, flapping) on a 1 s interval for 40 s,
 * alerts firing and resolving into a webhook, the config changed and reloaded every 8 s. File
 * descriptors do not grow, every reload succeeds, notifications flow and the outbox drains. RSS
 * and heap slopes are printed, not asserted: 40 s is too short to tell growth from warm-up; the
 * 20-minute run (`npm run soak`) is in docs/benchmarks.md.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak.js';

describe('soak (short)', () => {
  it('keeps file descriptors flat, reloads cleanly, and drains the outbox', async () => {
    const lines: string[] = [];
    const report = await runSoak({
      probes: 150,
      seconds: 40,
      intervalS: 1,
      reloadEveryS: 8,
      sampleEveryS: 2,
      log: (line) => lines.push(line),
    });
    console.log(
      `soak: rss slope ${report.rssSlopeMbPerMin.toFixed(1)} MB/min, heap slope ${report.heapSlopeMbPerMin.toFixed(1)} MB/min, fds ${report.fdChange >= 0 ? '+' : ''}${report.fdChange}, ${report.notifications} notifications, ${report.probeRuns} runs`,
    );
    expect(report.reloads.failed).toBe(0);
    expect(report.reloads.ok).toBeGreaterThanOrEqual(4);
    expect(Math.abs(report.fdChange), lines.join('\n')).toBeLessThanOrEqual(10);
    expect(report.notifications).toBeGreaterThan(0);
    expect(report.outboxAtEnd).toBe(0);
    expect(report.probeRuns).toBeGreaterThan(150 * 30);
  }, 240_000);
});
