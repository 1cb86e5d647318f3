/**
 * Why the scheduler did not start a run at its slot: the previous run of the probe was still going
 * (`overlap`), or the slot passed while the daemon could not run it (`missed`). Exported per
 * reason as prismwatch_probe_skipped_total.
 */
export const SKIP_REASONS = ['overlap', 'missed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
