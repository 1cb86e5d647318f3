import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from '../../src/cli/heap-growth.js';

describe('--memory.heap-growth-percent', () => {
  it('defaults to V8 deciding, takes a whole number, and 0 leaves V8 its own sizing', () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(0);
    expect(heapGrowthPercent(undefined, [], '')).toBeUndefined();
    expect(heapGrowthPercent('80', [], '')).toBe(80);
    expect(heapGrowthPercent('0', [], '')).toBeUndefined();
  });

  it('yields to a node flag the operator gave, on the command line or in NODE_OPTIONS', () => {
    expect(heapGrowthPercent('50', ['--heap-growing-percent=20'], '')).toBeUndefined();
    expect(heapGrowthPercent('50', [], '--max-old-space-size=512 --heap_growing_percent=10')).toBeUndefined();
  });

  it('refuses what is not a whole number from 0 to 1000, naming the flag', () => {
    for (const bad of ['x', '-1', '1.5', '1001']) {
      expect(() => heapGrowthPercent(bad, [], '')).toThrow(
        /--memory.heap-growth-percent expects a whole number/,
      );
    }
  });
});
