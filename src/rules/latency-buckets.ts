/**
 * The edges of prismwatch_probe_duration_seconds, derived from the config. Prometheus reads a
 * quantile off the buckets by interpolating inside the one that holds it: with no edge between
 * 2.5 s and 5 s, a p95 of 2.566 s read as 4.875 s, on the dashboards and in the exported
 * HighLatency. So every latency threshold and resolve threshold a rule uses, and every SLO's
 * latency bound, is an edge (the comparison is then decided by the buckets exactly), on top of a
 * base set with no gap wider than half its upper edge in the range probes live in.
 */
import { PROBE_DURATION_BUCKETS } from '../metrics/probe-metrics.js';
import type { RuleSpec } from './rule.js';
import { LATENCY } from './signals.js';

/** Ascending, unique, rounded to the millisecond (a threshold of 2.0000001 s is 2 s). */
export function durationBuckets(
  rules: readonly Pick<RuleSpec, 'signal' | 'threshold' | 'resolveThreshold'>[],
  /** The SLOs (structurally: slo/ builds on rules/, not the reverse). */
  slos: readonly { readonly latencyMs?: number }[],
): number[] {
  const edges = new Set(PROBE_DURATION_BUCKETS);
  for (const rule of rules) {
    if (!LATENCY.has(rule.signal)) continue;
    for (const seconds of [rule.threshold, rule.resolveThreshold])
      if (seconds !== undefined && Number.isFinite(seconds) && seconds > 0)
        edges.add(Math.round(seconds * 1000) / 1000);
  }
  for (const slo of slos) if (slo.latencyMs !== undefined) edges.add(Math.round(slo.latencyMs) / 1000);
  return [...edges].filter((edge) => edge > 0).sort((a, b) => a - b);
}
