/**
 * Whether the scheduler last found the event loop saturated (scheduler/limiter.ts samples it),
 * and how long work that yields to keep probes on time — rendering and streaming a scrape — works
 * between turns given away. On a saturated loop each turn given away is a whole turn of probe
 * callbacks and the probes are behind anyway: an answer that yields every few milliseconds does
 * not arrive (a 20 MB scrape took two minutes; bench:control-path), so it works in long slices,
 * still yielding now and then so /-/healthy is not stuck behind a whole 20 MB scrape.
 */
export const loopPressure = { saturated: false };

/**
 * A scrape of a few thousand probes is then done in one go (1,000 probes every 250 ms beside a
 * CPU hog and four stress workers: 50 ms slices let single scrapes take 2.7 s, one go kept them
 * under 2 s); one of 10,000 (about half a second of CPU) still yields a few times.
 */
const SATURATED_SLICE_MS = 200;

/** Milliseconds of work between yields: short on a loop with room, long on a saturated one. */
export function yieldSliceMs(relaxedMs: number): number {
  return loopPressure.saturated ? SATURATED_SLICE_MS : relaxedMs;
}
