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
  /** Locations that must see it: across the locations agents run a probe at (quorum.ts), and in exported rules. */
  readonly quorum?: number;
  readonly source: { readonly file: string; readonly line: number };
}

/**
 * Whether a windowed rule's window is covered by data: prismwatch has runs of the probe from the
 * window's start (within one interval of it). A daemon one minute old held four runs of a 5 m
 * window, and one failure among them read as a 25 % error rate and paged HighErrorRate. Time, not
 * a count of runs, so runs skipped under load do not keep a rule from ever judging. The exported
 * rules ask the same of Prometheus: a sample of the probe's series at least one window old.
 * Returns how long until it is covered (0: covered now).
 */
export function coverageWaitMs(
  reachesBackTo: number | undefined,
  now: number,
  windowMs: number,
  intervalMs = 0,
): number {
  if (reachesBackTo === undefined) return windowMs;
  return Math.max(0, reachesBackTo - (now - windowMs + intervalMs));
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
  probe: {
    name: string;
    kind: string;
    labels: Readonly<Record<string, string>>;
    agent?: { readonly probe: string };
  },
): boolean {
  // An agent's copy (`web@eu-1`) is selected by the name it was configured under.
  if (selector.names && !selector.names.includes(probe.agent?.probe ?? probe.name)) return false;
  if (selector.kinds && !selector.kinds.includes(probe.kind)) return false;
  for (const [key, value] of Object.entries(selector.labels ?? {}))
    if (probe.labels[key] !== value) return false;
  return true;
}
