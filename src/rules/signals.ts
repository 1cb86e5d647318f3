/**
 * What a rule measures, per probe: pure functions of the probe's recent samples and its last
 * result at evaluation time `now`. Undefined means "no data" (too few samples, or a fact the
 * probe does not have), which a rule treats like an absent series in Prometheus: not active.
 */
import type { ProbeHistory } from '../results/history.js';

export const SIGNALS = [
  'up',
  'success_ratio',
  'error_ratio',
  'latency_avg',
  'latency_p50',
  'latency_p90',
  'latency_p95',
  'latency_p99',
  'consecutive_failures',
  'status_code',
  'memory_used_ratio',
  'disk_free_ratio',
  'cert_expiry_days',
  'security_score',
  'ratelimit_remaining_ratio',
] as const;
export type Signal = (typeof SIGNALS)[number];

/** Signals computed over a window of samples; the others read the last result. */
export const WINDOWED: ReadonlySet<Signal> = new Set([
  'success_ratio',
  'error_ratio',
  'latency_avg',
  'latency_p50',
  'latency_p90',
  'latency_p95',
  'latency_p99',
]);

/** Latency signals are in seconds, so thresholds can be written as durations ("2s"). */
export const LATENCY: ReadonlySet<Signal> = new Set([
  'latency_avg',
  'latency_p50',
  'latency_p90',
  'latency_p95',
  'latency_p99',
]);

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export interface SignalInput {
  readonly history: ProbeHistory | undefined;
  readonly now: number;
  readonly windowMs: number;
  readonly minSamples: number;
}

export function computeSignal(signal: Signal, input: SignalInput): number | undefined {
  const { history, now } = input;
  const last = history?.last;
  if (!history || !last) return undefined;
  if (WINDOWED.has(signal)) {
    const samples = history.samples(now - input.windowMs);
    if (samples.length < Math.max(1, input.minSamples)) return undefined;
    const failures = samples.filter((sample) => !sample.ok).length;
    switch (signal) {
      case 'success_ratio':
        return 1 - failures / samples.length;
      case 'error_ratio':
        return failures / samples.length;
      case 'latency_avg':
        return samples.reduce((sum, sample) => sum + sample.durationMs, 0) / samples.length / 1000;
      default: {
        const sorted = samples.map((sample) => sample.durationMs / 1000).sort((a, b) => a - b);
        return quantile(sorted, Number(signal.slice('latency_p'.length)) / 100);
      }
    }
  }
  switch (signal) {
    case 'up':
      return last.ok ? 1 : 0;
    case 'consecutive_failures': {
      const samples = history.samples();
      let count = 0;
      for (let i = samples.length - 1; i >= 0 && !samples[i]!.ok; i--) count += 1;
      return count;
    }
    case 'status_code':
      return last.facts.http?.statusCode ?? last.facts.rateLimit?.statusCode;
    case 'memory_used_ratio':
      return last.facts.host?.memory.usedRatio;
    case 'disk_free_ratio': {
      const disks = last.facts.host?.disks ?? [];
      return disks.length === 0 ? undefined : Math.min(...disks.map((disk) => disk.freeRatio));
    }
    case 'cert_expiry_days': {
      const expiry = last.facts.tls?.earliestExpiry;
      return expiry === undefined || !Number.isFinite(expiry)
        ? undefined
        : (expiry * 1000 - now) / 86_400_000;
    }
    case 'security_score':
      return last.facts.security?.score;
    case 'ratelimit_remaining_ratio':
      return last.facts.rateLimit?.remainingRatio;
    default:
      return undefined;
  }
}
