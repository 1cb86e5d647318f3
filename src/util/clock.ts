/**
 * Epoch milliseconds with sub-millisecond resolution: phase timings of a loopback request are
 * fractions of a millisecond, which Date.now() would round to 0. Monotonic within the process.
 */
const origin = performance.timeOrigin;

export function preciseNow(): number {
  return origin + performance.now();
}
