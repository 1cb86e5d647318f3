/** Quantiles as Prometheus's quantile_over_time computes them (promql/quantile.go, `quantile`). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantile } from '../../src/rules/signals.js';

describe('quantile', () => {
  it('interpolates between ranks, as quantile_over_time does', () => {
    // Values Prometheus's own tests use: quantile_over_time(q, [0, 1, 2, …, 10]).
    const values = Array.from({ length: 11 }, (_, i) => i);
    expect(quantile(values, 0)).toBe(0);
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.95)).toBeCloseTo(9.5, 10);
    expect(quantile(values, 1)).toBe(10);
    expect(quantile([1, 2], 0.95)).toBeCloseTo(1.95, 10);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('moves p95 of 20 runs only part of the way toward one slow run', () => {
    const runs = [...Array.from({ length: 19 }, () => 0.2), 3];
    // Nearest rank made this 3 s (every run "slow"); interpolated it is 0.2 + 0.05·2.8.
    expect(quantile(runs, 0.95)).toBeCloseTo(0.34, 10);
  });

  it('lies between the minimum and the maximum and grows with q', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, a, b) => {
          const sorted = [...raw].sort((x, y) => x - y);
          const [low, high] = a <= b ? [a, b] : [b, a];
          const ql = quantile(sorted, low);
          const qh = quantile(sorted, high);
          expect(ql).toBeGreaterThanOrEqual(sorted[0]! - 1e-9);
          expect(qh).toBeLessThanOrEqual(sorted[sorted.length - 1]! + 1e-9);
          expect(qh).toBeGreaterThanOrEqual(ql - 1e-6);
        },
      ),
      { seed: 20261201, numRuns: 500 },
    );
  });
});
