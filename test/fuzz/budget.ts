/**
 * The fuzz tests' shared budget: a fixed seed so CI is reproducible and a failure names its case,
 * and run counts that fit a busy 2-core machine. PRISMWATCH_FUZZ_RUNS multiplies them for a long
 * local session; PRISMWATCH_FUZZ_SEED tries other seeds.
 */
import fc from 'fast-check';

export const FUZZ_SEED = Number(process.env.PRISMWATCH_FUZZ_SEED ?? 20261201);
const SCALE = Number(process.env.PRISMWATCH_FUZZ_RUNS ?? 1);

export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** fc.assert with the shared seed, printing how many cases ran (the CI log shows the counts). */
export async function fuzz<T>(
  name: string,
  property: fc.IAsyncProperty<T> | fc.IProperty<T>,
  numRuns: number,
) {
  const details = await fc.check(property as fc.IAsyncProperty<T>, { seed: FUZZ_SEED, numRuns });
  console.log(`fuzz ${name}: ${details.numRuns} cases (seed ${FUZZ_SEED})${details.failed ? ' FAILED' : ''}`);
  if (details.failed) {
    throw new Error(
      `fuzz ${name} failed after ${details.numRuns} cases (seed ${FUZZ_SEED}, path ${details.counterexamplePath}): ${String(details.errorInstance ?? '')}\ncounterexample: ${fc.stringify(details.counterexample)}`,
    );
  }
}
