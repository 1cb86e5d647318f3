/** Probe and rule specs as config loading would build them, for tests that skip the YAML. */
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import type { RuleSpec } from '../../src/rules/rule.js';

export function probeSpec(name: string, extra: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    name,
    kind: 'http',
    intervalMs: 10_000,
    timeoutMs: 5_000,
    labels: {},
    settings: {},
    source: { file: 't', line: 1 },
    ...extra,
  };
}

/** `ProbeDown`: critical, `up == 0`, no `for`, one sample; override what a test is about. */
export function ruleSpec(extra: Partial<RuleSpec> = {}): RuleSpec {
  return {
    alert: 'ProbeDown',
    severity: 'critical',
    select: {},
    signal: 'up',
    windowMs: 60_000,
    op: '==',
    threshold: 0,
    minSamples: 1,
    forMs: 0,
    keepFiringForMs: 0,
    labels: {},
    annotations: {},
    source: { file: 't', line: 1 },
    ...extra,
  };
}

/** One run's result at `at` (epoch ms): a 5 ms success, or a failure (`reset` unless given). */
export function runResult(at: number, ok: boolean, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    ok,
    startedAt: at,
    durationMs: 5,
    phases: {},
    facts: {},
    ...(ok ? {} : { failure: { code: 'reset', message: 'x' } }),
    ...extra,
  };
}
