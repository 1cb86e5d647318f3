/**
 * What a rule measures, per probe: pure functions of the probe's recent samples and its last
 * result at evaluation time `now`. Undefined means "no data" (too few samples, or a fact the
 * probe does not have), which a rule treats like an absent series in Prometheus: not active.
 * The signals here read any probe's runs; the others come from facts sections (probers/<kind>/
 * facts.ts), each reading its own section of the last result.
 */
import type { FactSignal } from '../probers/definition.js';
import { FACTS } from '../probers/index.js';
import type { ProbeHistory } from '../results/history.js';

/** Signals computed over a window of samples; the others read the last result. */
const WINDOWED_SIGNALS = [
  'success_ratio',
  'error_ratio',
  'latency_avg',
  'latency_p50',
  'latency_p90',
  'latency_p95',
  'latency_p99',
] as const;

const RUN_SIGNALS = ['up', ...WINDOWED_SIGNALS, 'consecutive_failures', 'cert_unchecked'] as const;

/** A facts section's signal, with the section it reads. */
interface SectionSignal {
  readonly key: string;
  readonly signal: FactSignal<unknown>;
}

/**
 * Signals by name, from every facts section in table order. Two sections may offer the same
 * name (status_code: HTTP's, then rate_limit's); the first that has a value answers.
 */
const FROM_FACTS = new Map<string, SectionSignal[]>();
for (const section of FACTS) {
  for (const signal of section.signals ?? []) {
    const offers = FROM_FACTS.get(signal.name) ?? [];
    offers.push({ key: section.key, signal: signal as FactSignal<unknown> });
    FROM_FACTS.set(signal.name, offers);
  }
}

/** Every signal a rule may name. */
export const SIGNALS: readonly string[] = [...RUN_SIGNALS, ...FROM_FACTS.keys()];
export type Signal = string;

export const WINDOWED: ReadonlySet<Signal> = new Set(WINDOWED_SIGNALS);

/** Latency signals are in seconds, so thresholds can be written as durations ("2s"). */
export const LATENCY: ReadonlySet<Signal> = new Set(WINDOWED_SIGNALS.filter((s) => s.startsWith('latency_')));

/**
 * Signals in seconds, whose thresholds may be written as durations: the latency signals and the
 * facts signals named *_seconds (the browser's lcp_seconds: `threshold: 4s` was refused while
 * the docs wrote `max_lcp: 4s`).
 */
export function inSeconds(signal: Signal): boolean {
  return LATENCY.has(signal) || (FROM_FACTS.has(signal) && signal.endsWith('_seconds'));
}

/**
 * The q-quantile of sorted values as Prometheus's `quantile_over_time` computes it: linear
 * interpolation between the two values around rank q·(n − 1). Nearest rank (what this was)
 * made p95 of 19 or fewer samples their maximum, so one slow run tripped a latency rule; here
 * one slow run among 20 moves p95 only part of the way toward it.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** The quantile a latency_pNN signal names: latency_p95 → 0.95. */
export function quantileOf(signal: Signal): number {
  return Number(signal.slice('latency_p'.length)) / 100;
}

interface SignalInput {
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
        return quantile(sorted, quantileOf(signal));
      }
    }
  }
  if (signal === 'up') return last.ok ? 1 : 0;
  // The last run failed, and not because a certificate was rejected: nothing usable answered, so
  // no certificate could be checked. CertificateCheckFailing used `up`, and fired beside
  // CertificateInvalid for a self-signed certificate (one problem, two alerts).
  if (signal === 'cert_unchecked') return !last.ok && last.failure?.code !== 'tls_error' ? 1 : 0;
  if (signal === 'consecutive_failures') {
    const samples = history.samples();
    let count = 0;
    for (let i = samples.length - 1; i >= 0 && !samples[i]!.ok; i--) count += 1;
    return count;
  }
  for (const { key, signal: offer } of FROM_FACTS.get(signal) ?? []) {
    const facts = last.facts[key as keyof typeof last.facts];
    const value = facts === undefined ? undefined : offer.read(facts, now, last);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The unit a facts signal declares (undefined for run signals and plain numbers). */
export function factsSignalUnit(signal: Signal): FactSignal<unknown>['unit'] {
  return FROM_FACTS.get(signal)?.[0]?.signal.unit;
}

/** The PromQL of a signal read off facts, over `selector`; undefined for run signals and unknown names. */
export function factsSignalExpression(signal: Signal, selector: string): string | undefined {
  // Several sections may offer a signal (status_code: http's and rate_limit's): each probe has
  // one of their series, so `or` gives every probe its own.
  const exprs = (FROM_FACTS.get(signal) ?? []).flatMap(({ signal: offer }) =>
    offer.promql ? [offer.promql(selector)] : [],
  );
  if (exprs.length === 0) return undefined;
  return exprs.length === 1 ? exprs[0] : `(${exprs.join(' or ')})`;
}
