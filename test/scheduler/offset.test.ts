import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/scheduler/heap.js';
import { nextDueAt, phaseOffsetMs } from '../../src/scheduler/offset.js';

describe('phase offsets', () => {
  it('are stable for a name and spread 10,000 probes evenly over the interval', () => {
    expect(phaseOffsetMs('api', 10_000)).toBe(phaseOffsetMs('api', 10_000));
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOffsetMs(`probe-${i}`, 10_000) / 1_000)]++;
    // Each tenth of the interval gets close to 1,000 probes: no thundering herd.
    for (const count of buckets) expect(count).toBeGreaterThan(880);
    for (const count of buckets) expect(count).toBeLessThan(1_120);
  });

  it('nextDueAt lands on the slot at or after now', () => {
    expect(nextDueAt(10_000, 1_000, 250)).toBe(10_250);
    expect(nextDueAt(10_250, 1_000, 250)).toBe(10_250);
    expect(nextDueAt(10_251, 1_000, 250)).toBe(11_250);
  });
});

describe('MinHeap', () => {
  it('pops in key order', () => {
    const heap = new MinHeap<number>((n) => n);
    const input = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
    for (const n of input) heap.push(n);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual([...input].sort((a, b) => a - b));
  });
});
