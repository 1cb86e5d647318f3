/**
 * `--memory.heap-growth-percent`: how far V8 lets the heap grow past what the last full GC kept
 * before it collects again. Left to itself (the default, 0) V8 picks a factor from its own
 * throughput heuristics and commits two to three times the live heap; a low percentage saves
 * about a quarter of the RSS and costs a fifth of the CPU per probe (docs/benchmarks.md,
 * "Figures behind the code"). Neither is right for everyone, so memory-bound deployments opt in.
 *
 * V8 reads the flag at every full collection, so setting it at start-up works (measured,
 * though node documents setFlagsFromString after start as unsupported territory). A node flag
 * the operator gave (`node --heap-growing-percent=…` or NODE_OPTIONS) wins.
 */
import { setFlagsFromString } from 'node:v8';
import { PrismwatchError } from '../errors.js';

export const DEFAULT_HEAP_GROWTH_PERCENT = 0;
const NODE_FLAG = '--heap-growing-percent';

/** The percent to apply, or undefined to leave V8's own sizing (0, or the operator's node flag). */
export function heapGrowthPercent(
  value: string | undefined,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): number | undefined {
  const percent = value === undefined ? DEFAULT_HEAP_GROWTH_PERCENT : Number(value);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1_000) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--memory.heap-growth-percent expects a whole number from 0 (V8 decides) to 1000, got "${value}"`,
    );
  }
  // V8 accepts its flags with dashes or underscores.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) =>
    /^--heap[-_]growing[-_]percent\b/.test(arg),
  );
  return percent === 0 || given ? undefined : percent;
}

export function applyHeapGrowth(percent: number | undefined): void {
  if (percent !== undefined) setFlagsFromString(`${NODE_FLAG}=${percent}`);
}
