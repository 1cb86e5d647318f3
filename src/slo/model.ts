/** A service level objective as configured (`slos:`), after validation. */
import type { ProbeSelector } from '../rules/rule.js';

export interface SloSpec {
  readonly name: string;
  readonly description?: string;
  /** The probes whose runs are the SLO's events. */
  readonly select: ProbeSelector;
  /** The share of good events promised, as a ratio (99.9 % → 0.999). */
  readonly objective: number;
  /** The period the objective holds over (the error budget's period). */
  readonly windowMs: number;
  /** Latency SLIs: a good event is a successful run no slower than this. Without it, any successful run. */
  readonly latencyMs?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: { readonly file: string; readonly line: number };
}

/**
 * The error budget: the share of events allowed to be bad. Rounded through its decimal text
 * (1 - 0.999 is 0.0010000000000000009 in binary), so the exported PromQL reads 0.001 and both
 * sides compare against the very same double.
 */
export function errorBudget(slo: Pick<SloSpec, 'objective'>): number {
  return Number((1 - slo.objective).toPrecision(12));
}

/** The error ratio above which a window burns faster than `factor` times the budget (same rounding). */
export function burnThreshold(slo: Pick<SloSpec, 'objective'>, factor: number): number {
  return Number((factor * errorBudget(slo)).toPrecision(12));
}
