/** Web Vitals arithmetic and the artifact store, without a browser. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cumulativeLayoutShift,
  navigationPhases,
  rate,
  webVitals,
} from '../../src/probers/browser/vitals.js';
import { Artifacts } from '../../src/results/artifacts.js';
import { fuzz, runs } from '../fuzz/budget.js';

describe('Web Vitals', () => {
  it('CLS is the largest session window: gaps under 1 s, windows under 5 s', () => {
    const shift = (startTime: number, value: number) => ({ startTime, value });
    expect(cumulativeLayoutShift([])).toBe(0);
    expect(cumulativeLayoutShift([shift(0, 0.05), shift(500, 0.05), shift(900, 0.05)])).toBeCloseTo(0.15);
    // A 1.5 s gap starts a new window; the larger one counts.
    expect(cumulativeLayoutShift([shift(0, 0.05), shift(2_000, 0.2), shift(2_400, 0.1)])).toBeCloseTo(0.3);
    // A window ends at 5 s even without a gap.
    const steady = Array.from({ length: 12 }, (_, i) => shift(i * 900, 0.01));
    expect(cumulativeLayoutShift(steady)).toBeCloseTo(0.06);
  });

  it('rates against web.dev’s thresholds, inclusive of the good bound', () => {
    expect(rate('lcp', 2.5)).toBe('good');
    expect(rate('lcp', 2.51)).toBe('needs improvement');
    expect(rate('lcp', 4.01)).toBe('poor');
    expect(rate('cls', 0.1)).toBe('good');
    expect(rate('inp', 0.5)).toBe('needs improvement');
  });

  it('never yields a negative phase or a non-number vital from any timeline', async () => {
    const time = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    await fuzz(
      'web vitals',
      fc.property(
        fc.record({
          startTime: time,
          domainLookupStart: time,
          domainLookupEnd: time,
          connectStart: time,
          connectEnd: time,
          secureConnectionStart: time,
          requestStart: time,
          responseStart: time,
          responseEnd: time,
          domContentLoadedEventEnd: time,
          loadEventEnd: time,
        }),
        fc.array(fc.record({ startTime: time, value: fc.double({ min: 0, max: 10, noNaN: true }) }), {
          maxLength: 30,
        }),
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 5 }),
        (navigation, shifts, interactions) => {
          for (const ms of Object.values(navigationPhases(navigation))) expect(ms).toBeGreaterThanOrEqual(0);
          const vitals = webVitals({ navigation, shifts, interactions, lcp: navigation.loadEventEnd });
          expect(Number.isFinite(vitals.cls)).toBe(true);
        },
      ),
      runs(1_000),
    );
  });
});

describe('artifacts', () => {
  it('keeps the newest five per probe, across a restart, and serves only names it made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
    let clock = Date.parse('2026-12-02T00:00:00Z');
    const first = new Artifacts(dir, () => clock++);
    const paths = Array.from({ length: 4 }, () => first.save('shop/page', 'failure.png', Buffer.from('png')));
    const second = new Artifacts(dir, () => clock++);
    for (let i = 0; i < 3; i++) second.save('shop/page', 'failure.png', Buffer.from('png'));
    second.save('other', 'failure.png', Buffer.from('png'));
    expect(readdirSync(dir).filter((file) => file.startsWith('shop_page--'))).toHaveLength(5);
    expect(second.read(paths[0]!)).toBeUndefined();
    expect(second.read(paths[3]!)?.toString()).toBe('png');
    expect(second.read('/artifacts/../prismwatch.db')).toBeUndefined();
    expect(second.read('/artifacts/x/y.png')).toBeUndefined();
  });
});
