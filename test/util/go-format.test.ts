/**
 * Go's number formatting as Prometheus's templates use it. Expected texts are what Go prints
 * (fmt.Sprintf) for the same float64; promtool checks the whole templates in
 * test/rules/export-templates.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goF, goG, humanize, humanizeDuration, humanizePercentage } from '../../src/util/go-format.js';

describe('Go number formatting', () => {
  it('prints %.4g as Go does, ties to even on the exact binary value', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [7.142857, '7.143'],
      [100000, '1e+05'],
      [10000, '1e+04'],
      [2000, '2000'],
      [1234.5, '1234'],
      [1235.5, '1236'],
      [12.5, '12.5'],
      [0.5, '0.5'],
      [50, '50'],
      [0.00012345, '0.0001234'],
      [0.00001, '1e-05'],
      [9.9996, '10'],
      [99996, '1e+05'],
      [-3.25, '-3.25'],
      [1e21, '1e+21'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, '+Inf'],
      [Number.NEGATIVE_INFINITY, '-Inf'],
    ];
    for (const [value, text] of cases) expect(goG(value), String(value)).toBe(text);
    expect(goG(0.125, 2)).toBe('0.12');
    expect(goG(0.375, 2)).toBe('0.38');
  });

  it('prints %.1f as Go does', () => {
    expect(goF(9.999190972221118, 1)).toBe('10.0');
    expect(goF(10.25, 1)).toBe('10.2');
    expect(goF(10.75, 1)).toBe('10.8');
    expect(goF(9.96, 1)).toBe('10.0');
    expect(goF(0, 1)).toBe('0.0');
    expect(goF(-0.04, 1)).toBe('-0.0');
    expect(goF(123.456, 0)).toBe('123');
  });

  it('humanizes as Prometheus does', () => {
    expect(humanize(503)).toBe('503');
    expect(humanize(1234567)).toBe('1.235M');
    expect(humanize(0.333)).toBe('333m');
    expect(humanize(0)).toBe('0');
    expect(humanizePercentage(0.1234567)).toBe('12.35%');
    expect(humanizePercentage(0.05)).toBe('5%');
    expect(humanizeDuration(899.99)).toBe('14m 59s');
    expect(humanizeDuration(2.51)).toBe('2.51s');
    expect(humanizeDuration(0.123)).toBe('123ms');
    expect(humanizeDuration(0)).toBe('0s');
    expect(humanizeDuration(200000)).toBe('2d 7h 33m 20s');
  });

  it('agrees with the digits of toPrecision away from ties, on any double', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e300, max: 1e300, noNaN: true }),
        fc.integer({ min: 1, max: 15 }),
        (value, prec) => {
          const text = goG(value, prec);
          // Same number to the precision asked for (ties aside, which move the last digit by one).
          const back = Number(text);
          const expected = Number(value.toPrecision(prec));
          const ulp = Math.abs(expected) * 10 ** (1 - prec);
          expect(Math.abs(back - expected)).toBeLessThanOrEqual(ulp);
        },
      ),
    );
  });
});
