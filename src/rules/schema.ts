/** The `rules:` section of alerts/*.yaml: one alert rule per entry, snake_case like Prometheus. */
import * as z from 'zod';
import { parseDuration } from '../util/duration.js';
import { durationMs, labels } from '../util/fields.js';
import type { Comparison, RuleSpec, Severity } from './rule.js';
import { inSeconds, SIGNALS, type Signal, WINDOWED } from './signals.js';
import { unknownPlaceholders } from './template.js';

const DEFAULT_WINDOW_MS = 5 * 60_000;
/** Windowed signals need this many samples by default, so one failure out of one is not 100 %. */
const DEFAULT_MIN_SAMPLES_WINDOWED = 5;

const threshold = z.union([z.number(), z.string()], {
  error: 'expected a number, or a duration like "2s" for signals in seconds',
});

/** Which probes a rule (or an SLO) covers: by name, by kind, by labels; all of them when empty. */
export const selectSchema = z
  .strictObject({
    names: z.array(z.string()).optional(),
    kinds: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .default({});

export const ruleSchema = z.strictObject({
  alert: z.string({ error: 'expected an alert name' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: 'expected an alert name of letters, digits and "_" (like ProbeDown)',
  }),
  severity: z.enum(['critical', 'warning']),
  select: selectSchema,
  signal: z.enum(SIGNALS),
  window: durationMs({ minMs: 1_000 }).optional(),
  op: z.enum(['>', '>=', '<', '<=', '==', '!=']),
  threshold,
  resolve_threshold: threshold.optional(),
  min_samples: z.number().int().min(1).optional(),
  for: durationMs({ minMs: 0 }).default(0),
  keep_firing_for: durationMs({ minMs: 0 }).default(0),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).default({}),
  /** Checklist items this rule verifies when it does not fire (`prismwatch verify`). */
  checklist: z.array(z.string().min(1), { error: 'expected a list of checklist items' }).optional(),
  /**
   * For `rules export` where several locations report into one Prometheus: fire only when at
   * least this many locations see it (ProbeLocationDegraded, a warning, when fewer do).
   */
  quorum: z.number().int().min(1).optional(),
});

type ParsedRule = z.infer<typeof ruleSchema>;

/** Cross-field checks, each as [path under the rule, message]. */
export function validateRule(rule: ParsedRule): Array<[string[], string]> {
  const problems: Array<[string[], string]> = [];
  const latency = inSeconds(rule.signal as Signal);
  for (const key of ['threshold', 'resolve_threshold'] as const) {
    const value = rule[key];
    if (typeof value !== 'string') continue;
    if (!latency)
      problems.push([
        [key],
        `expected a number for signal ${rule.signal} (durations are for signals in seconds: latency_*, *_seconds)`,
      ]);
    else if (parseDuration(value) === undefined)
      problems.push([[key], `expected a duration like "2s", got ${JSON.stringify(value)}`]);
  }
  if (rule.window !== undefined && !WINDOWED.has(rule.signal as Signal)) {
    problems.push([['window'], `expected no window for signal ${rule.signal}: it reads the last result`]);
  }
  const built = problems.length === 0 ? toRuleSpec(rule, { file: '', line: 0 }) : undefined;
  if (built?.resolveThreshold !== undefined) {
    const upward = built.op === '>' || built.op === '>=';
    const downward = built.op === '<' || built.op === '<=';
    if (
      (upward && built.resolveThreshold > built.threshold) ||
      (downward && built.resolveThreshold < built.threshold) ||
      (!upward && !downward)
    ) {
      problems.push([
        ['resolve_threshold'],
        `expected resolve_threshold on the resolved side of threshold for op ${built.op} (hysteresis)`,
      ]);
    }
  }
  for (const [key, template] of Object.entries(rule.annotations)) {
    const unknown = unknownPlaceholders(template);
    if (unknown.length > 0) {
      problems.push([
        ['annotations', key],
        `expected placeholders among {{probe}}, {{kind}}, {{value}}, {{threshold}}, {{window}}, {{alert}}, {{severity}}, {{labels.NAME}}, got {{${unknown[0]}}}`,
      ]);
    }
  }
  return problems;
}

function toNumber(value: number | string, signal: Signal): number {
  return typeof value === 'number' ? value : inSeconds(signal) ? parseDuration(value)! / 1000 : Number.NaN;
}

export function toRuleSpec(rule: ParsedRule, source: { file: string; line: number }): RuleSpec {
  const signal = rule.signal as Signal;
  return {
    alert: rule.alert,
    severity: rule.severity as Severity,
    select: rule.select,
    signal,
    windowMs: rule.window ?? DEFAULT_WINDOW_MS,
    op: rule.op as Comparison,
    threshold: toNumber(rule.threshold, signal),
    ...(rule.resolve_threshold !== undefined
      ? { resolveThreshold: toNumber(rule.resolve_threshold, signal) }
      : {}),
    minSamples: rule.min_samples ?? (WINDOWED.has(signal) ? DEFAULT_MIN_SAMPLES_WINDOWED : 1),
    forMs: rule.for,
    keepFiringForMs: rule.keep_firing_for,
    labels: rule.labels ?? {},
    annotations: rule.annotations,
    ...(rule.checklist ? { checklist: rule.checklist } : {}),
    ...(rule.quorum !== undefined ? { quorum: rule.quorum } : {}),
    source,
  };
}
