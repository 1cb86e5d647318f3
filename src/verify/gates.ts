/**
 * Verify's verdicts. A probe gate passes when every run of the probe succeeded; a rule gate passes
 * when the rule's condition does not hold over all runs collected (`for` is ignored: a gate is a
 * verdict now, not an alert over time). A rule without data (a fact the probe did not produce)
 * is `no_data`: not a pass, and not a failure of its own (the probe gate already says why).
 */
import type { Config } from '../config/load.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import { FACTS } from '../probers/index.js';
import { compare, selects } from '../rules/rule.js';
import { computeSignal, quantile, WINDOWED } from '../rules/signals.js';
import { describeThreshold } from '../rules/template.js';
import { formatSignalValue } from '../rules/value-format.js';
import type { Collected } from './collect.js';

type GateStatus = 'pass' | 'fail' | 'no_data';

export interface Gate {
  readonly id: string;
  readonly type: 'probe' | 'rule' | 'regression' | 'notify' | 'config';
  readonly title: string;
  readonly probe: string;
  readonly kind: string;
  readonly rule?: string;
  readonly severity?: string;
  readonly status: GateStatus;
  readonly runs: number;
  /** Time its runs took, in seconds (probe gates; a rule gate judges those same runs): JUnit's time. */
  readonly seconds?: number;
  /** The measured value behind a rule gate, in the signal's units. */
  readonly value?: number;
  readonly valueText?: string;
  readonly thresholdText?: string;
  /** What was observed, in a line: the evidence a ticked item carries. */
  readonly evidence: string;
  /** Why it failed; undefined when it passed. */
  readonly reason?: string;
  readonly checklist: readonly string[];
  /** Figures a later run can compare with (--baseline). */
  readonly measures: Readonly<Record<string, number | string>>;
}

const ms = (value: number) => `${Math.round(value)} ms`;

/** Kind-specific facts of the last result, as evidence. */
function facts(
  results: readonly ProbeResult[],
  now: number,
): { text: string; measures: Record<string, number | string> } {
  const last = results[results.length - 1]!;
  const durations = results.map((result) => result.durationMs);
  const measures: Record<string, number | string> = {
    p95_ms: Math.round(
      quantile(
        [...durations].sort((a, b) => a - b),
        0.95,
      ),
    ),
    error_ratio: results.filter((result) => !result.ok).length / results.length,
  };
  const sections = FACTS.flatMap((section) => {
    const value = last.facts[section.key];
    return value === undefined || !section.evidence ? [] : [{ section, value: value as never }];
  });
  const evidence = (first: boolean) =>
    sections
      .filter(({ section }) => Boolean(section.evidenceFirst) === first)
      .map(({ section, value }) => section.evidence!(value, measures, now))
      .filter((text): text is string => text !== undefined);
  const parts = [
    ...evidence(true),
    results.length > 1 ? `p95 ${ms(measures.p95_ms as number)}` : ms(last.durationMs),
    ...evidence(false),
  ];
  return { text: parts.join(', '), measures };
}

function probeGate(spec: ProbeSpec, results: readonly ProbeResult[], now: number): Gate {
  const ok = results.filter((result) => result.ok).length;
  const failed = results.find((result) => !result.ok);
  const observed = facts(results, now);
  return {
    id: `probe:${spec.name}`,
    type: 'probe',
    title: `${spec.name} (${spec.kind}) succeeds`,
    probe: spec.name,
    kind: spec.kind,
    status: failed ? 'fail' : 'pass',
    runs: results.length,
    seconds: results.reduce((sum, result) => sum + result.durationMs, 0) / 1000,
    evidence: `${ok}/${results.length} runs ok; ${observed.text}`,
    ...(failed?.failure
      ? {
          reason: `${results.length - ok} of ${results.length} runs failed: ${failed.failure.code}${failed.failure.phase ? ` in ${failed.failure.phase}` : ''}: ${failed.failure.message}`,
        }
      : {}),
    checklist: spec.checklist ?? [],
    measures: observed.measures,
  };
}

export function evaluateGates(
  config: Pick<Config, 'rules'>,
  probes: readonly ProbeSpec[],
  collected: Collected,
): Gate[] {
  const gates: Gate[] = [];
  for (const spec of probes) {
    const results = collected.results.get(spec.name) ?? [];
    if (results.length === 0) continue;
    gates.push(probeGate(spec, results, collected.finishedAt));
    for (const rule of config.rules) {
      if (!selects(rule.select, spec)) continue;
      const value = computeSignal(rule.signal, {
        history: collected.store.get(spec.name),
        now: collected.finishedAt,
        windowMs: Number.MAX_SAFE_INTEGER,
        minSamples: Math.min(rule.minSamples, results.length),
      });
      const thresholdText = describeThreshold(rule);
      const base = {
        id: `rule:${rule.alert}:${spec.name}`,
        type: 'rule' as const,
        title: `${rule.alert} (${rule.severity}) does not hold for ${spec.name}`,
        probe: spec.name,
        kind: spec.kind,
        rule: rule.alert,
        severity: rule.severity,
        runs: results.length,
        thresholdText,
        checklist: rule.checklist ?? [],
      };
      if (value === undefined) {
        gates.push({
          ...base,
          status: 'no_data',
          evidence: `no ${rule.signal} from ${spec.name}`,
          measures: {},
        });
        continue;
      }
      const valueText = formatSignalValue(rule.signal, value);
      const samples = WINDOWED.has(rule.signal) ? ` over ${results.length} runs` : '';
      const firing = compare(value, rule.op, rule.threshold);
      gates.push({
        ...base,
        status: firing ? 'fail' : 'pass',
        value,
        valueText,
        evidence: `${rule.signal} ${valueText}${samples} (alert at ${thresholdText})`,
        ...(firing
          ? { reason: `${rule.signal} ${valueText}${samples}, alert threshold ${thresholdText}` }
          : {}),
        measures: { [rule.signal]: value },
      });
    }
  }
  return gates;
}
