/**
 * Why the scheduler did not start a run at its slot: the previous run of the probe was still going
 * (`overlap`), the slot passed while the daemon could not run it (`missed`), or the run waited in
 * the saturated daemon's queue for a whole interval and was dropped (`shed`, limiter.ts).
 * Exported per reason as prismwatch_probe_skipped_total.
 */
export const SKIP_REASONS = ['overlap', 'missed', 'shed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
