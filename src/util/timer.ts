/**
 * The longest delay setTimeout honours: 2^31 - 1 ms, about 24.8 days. Node turns anything longer
 * into 1 ms (with only a warning), which made `timeout: 30d` fail every run after 8 ms and a
 * far-off schedule spin. Config durations that feed a timer are bounded by it; a timer for
 * something further away is armed at this delay and re-armed when it fires.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A delay setTimeout will honour: negative and NaN become 0, too long becomes the maximum. */
export function timerDelay(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(MAX_TIMER_DELAY_MS, Math.max(0, ms));
}
