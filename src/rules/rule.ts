/** A rule as configured (alerts/*.yaml), after validation. */
import type { Signal } from './signals.js';

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Severity = 'critical' | 'warning';

export interface ProbeSelector {
  readonly names?: readonly string[];
  readonly kinds?: readonly string[];
  /** Every label must equal the given value (exact match). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RuleSpec {
  readonly alert: string;
  readonly severity: Severity;
  readonly select: ProbeSelector;
  readonly signal: Signal;
  readonly windowMs: number;
  readonly op: Comparison;
  readonly threshold: number;
  /** Hysteresis: while firing, the alert stays active until the value no longer passes this. */
  readonly resolveThreshold?: number;
  readonly minSamples: number;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly checklist?: readonly string[];
  /** Locations that must see it, in exported rules (`rules export --quorum`); prismwatch evaluates its own location. */
  readonly quorum?: number;
  readonly source: { readonly file: string; readonly line: number };
}

/**
 * Runs a windowed rule needs in its window before it may fire: the window's worth at the probe's
 * interval less one (a run under way is not recorded yet), and never fewer than min_samples. A
 * daemon one minute old holds four runs of a 5 m window: one failure read as a 25 % error rate
 * and paged HighErrorRate. Cron probes (no interval) need min_samples. The exported rules ask the
 * same of Prometheus, from prismwatch_probe_interval_seconds.
 */
export function requiredRuns(rule: Pick<RuleSpec, 'windowMs' | 'minSamples'>, intervalMs?: number): number {
  const covering = intervalMs && intervalMs > 0 ? Math.floor(rule.windowMs / intervalMs) - 1 : 0;
  return Math.max(1, rule.minSamples, covering);
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

export function selects(
  selector: ProbeSelector,
  probe: { name: string; kind: string; labels: Readonly<Record<string, string>> },
): boolean {
  if (selector.names && !selector.names.includes(probe.name)) return false;
  if (selector.kinds && !selector.kinds.includes(probe.kind)) return false;
  for (const [key, value] of Object.entries(selector.labels ?? {}))
    if (probe.labels[key] !== value) return false;
  return true;
}
