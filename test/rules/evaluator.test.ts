/**
 * Clock-driven tables in the style of `promtool test rules`: probe results over time in, expected
 * alert states out, with Prometheus's semantics (TestKeepFiringFor, TestPendingAndKeepFiringFor).
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import { ResultStore } from '../../src/results/history.js';
import { AlertEvaluator } from '../../src/rules/evaluator.js';
import type { RuleSpec } from '../../src/rules/rule.js';
import { probeSpec as baseProbeSpec, ruleSpec } from '../helpers/specs.js';

const S = 1_000;
const T0 = 1_800_000_000_000;

/** The evaluator tests' probe carries a label, so label templates and selection have one. */
const probeSpec = (name: string, extra: Partial<ProbeSpec> = {}) =>
  baseProbeSpec(name, { labels: { service: 'prismai' }, ...extra });
const rule = (extra: Partial<RuleSpec>) =>
  ruleSpec({ annotations: { summary: '{{probe}} is {{value}} vs {{threshold}}' }, ...extra });

function result(at: number, ok: boolean, durationMs = 50): ProbeResult {
  return {
    ok,
    startedAt: at,
    durationMs,
    phases: {},
    facts: {},
    ...(ok ? {} : { failure: { code: 'status_mismatch', message: 'x' } }),
  };
}

/**
 * Runs a series: `samples` are [seconds, ok, durationMs?] results of probe "web"; evaluations happen
 * at each of `at` (seconds) and the alert's state there is returned ('-' when there is none).
 */
function run(
  rules: RuleSpec[],
  samples: Array<[number, boolean, number?]>,
  at: number[],
  probes = [probeSpec('web')],
) {
  const store = new ResultStore();
  const evaluator = new AlertEvaluator();
  const states: string[] = [];
  let next = 0;
  for (const t of at) {
    while (next < samples.length && samples[next]![0] <= t) {
      const [s, ok, ms] = samples[next]!;
      store.record(probes[0]!, result(T0 + s * S, ok, ms));
      next += 1;
    }
    evaluator.evaluate(T0 + t * S, rules, probes, store);
    states.push(evaluator.list()[0]?.state ?? '-');
  }
  return { states, evaluator, store };
}

const up = (from: number, to: number, ok: boolean, step = 10): Array<[number, boolean]> => {
  const out: Array<[number, boolean]> = [];
  for (let s = from; s <= to; s += step) out.push([s, ok]);
  return out;
};

describe('for: pending before firing', () => {
  it('fires once the condition has held for `for`, not before', () => {
    const { states } = run([rule({ forMs: 30 * S })], up(0, 60, false), [0, 10, 20, 30, 40]);
    expect(states).toEqual(['pending', 'pending', 'pending', 'firing', 'firing']);
  });

  it('a pending blip is dropped without ever firing (no resolved notice)', () => {
    const { states } = run(
      [rule({ forMs: 30 * S })],
      [
        [0, false],
        [10, false],
        [20, true],
        [30, true],
      ],
      [0, 10, 20, 30],
    );
    expect(states).toEqual(['pending', 'pending', '-', '-']);
  });

  it('for: 0 fires on the first evaluation', () => {
    expect(run([rule({})], [[0, false]], [0]).states).toEqual(['firing']);
  });
});

describe('keep_firing_for', () => {
  it('keeps a firing alert through a gap shorter than keep_firing_for, then resolves', () => {
    const samples: Array<[number, boolean]> = [
      [0, false],
      [10, true],
      [20, true],
      [30, true],
      [40, true],
    ];
    const { states } = run([rule({ keepFiringForMs: 25 * S })], samples, [0, 10, 20, 30, 40]);
    // The gap starts at t=10; at t=30 it is 20 s old (< 25 s), at t=40 30 s: resolved.
    expect(states).toEqual(['firing', 'firing', 'firing', 'firing', 'resolved']);
  });

  it('a matching evaluation in the gap resets it (TestKeepFiringFor)', () => {
    const samples: Array<[number, boolean]> = [
      [0, false],
      [10, true],
      [20, false],
      [30, true],
      [40, true],
      [50, true],
    ];
    const { states } = run([rule({ keepFiringForMs: 25 * S })], samples, [0, 10, 20, 30, 40, 50, 60]);
    // The failure at t=20 resets the gap; it restarts at t=30 and passes 25 s at t=60.
    expect(states).toEqual(['firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'resolved']);
  });

  it('does not apply to pending alerts (TestPendingAndKeepFiringFor)', () => {
    const samples: Array<[number, boolean]> = [
      [0, false],
      [10, true],
    ];
    const { states } = run([rule({ forMs: 60 * S, keepFiringForMs: 60 * S })], samples, [0, 10]);
    expect(states).toEqual(['pending', '-']);
  });
});

describe('windows, minimum samples and hysteresis', () => {
  it('error_ratio needs min_samples: one failure out of one is no data, not 100 %', () => {
    const errorRule = rule({
      alert: 'HighErrorRate',
      signal: 'error_ratio',
      op: '>',
      threshold: 0.05,
      minSamples: 5,
      windowMs: 100 * S,
    });
    expect(run([errorRule], [[0, false]], [0]).states).toEqual(['-']);
    const samples: Array<[number, boolean]> = [...up(0, 90, true).slice(0, 9), [95, false]];
    const { states, evaluator } = run([errorRule], samples, [95]);
    expect(states).toEqual(['firing']);
    expect(evaluator.list()[0]!.value).toBeCloseTo(0.1);
  });

  it('a windowed rule waits until its window is covered: a young daemon does not page on its first failures', () => {
    const errorRule = rule({
      alert: 'HighErrorRate',
      signal: 'error_ratio',
      op: '>',
      threshold: 0.05,
      minSamples: 5,
      windowMs: 300 * S,
    });
    // Runs every 10 s from 0 s. Two failures in the first minute are 2 of 6 (33 %), but 50 s of
    // a 5 m window: insufficient data for another 240 s (runs from within one interval of the
    // window's start cover it), said so. With the window covered they are 2 of 29 (6.9 %): that fires.
    const samples: Array<[number, boolean]> = [[0, false], [10, false], ...up(20, 290, true)];
    const { states, evaluator } = run([errorRule], samples, [50, 290]);
    expect(states).toEqual(['-', 'firing']);
    const early = run([errorRule], samples, [50]).evaluator.waitingForData();
    expect(early).toEqual([{ alert: 'HighErrorRate', probe: 'web', runs: 6, readyInMs: 240_000 }]);
    expect(evaluator.waitingForData()).toEqual([]);
  });

  it('error_ratio counts only samples inside the window', () => {
    const errorRule = rule({
      alert: 'HighErrorRate',
      signal: 'error_ratio',
      op: '>',
      threshold: 0.05,
      minSamples: 5,
      windowMs: 60 * S,
    });
    const samples: Array<[number, boolean]> = [...up(0, 50, false), ...up(60, 200, true)];
    expect(run([errorRule], samples, [50, 200]).states).toEqual(['firing', 'resolved']);
  });

  it('hysteresis: fires above 2 s, stays firing at 1.8 s, resolves below 1.5 s', () => {
    const latency = rule({
      alert: 'HighLatency',
      severity: 'warning',
      signal: 'latency_p95',
      op: '>',
      threshold: 2,
      resolveThreshold: 1.5,
      minSamples: 1,
      windowMs: 5 * S,
    });
    const samples: Array<[number, boolean, number]> = [
      [0, true, 2_500],
      [10, true, 1_800],
      [20, true, 1_400],
    ];
    expect(run([latency], samples, [0, 10, 20]).states).toEqual(['firing', 'firing', 'resolved']);
  });

  it('a resolved alert says what the value is now, in its annotations and evidence', () => {
    const errors = rule({
      alert: 'HighErrorRate',
      signal: 'error_ratio',
      op: '>',
      threshold: 0.05,
      minSamples: 1,
      windowMs: 30 * S,
    });
    const samples: Array<[number, boolean]> = [...up(0, 20, false), ...up(30, 200, true)];
    const { evaluator } = run([errors], samples, [20, 60]);
    const alert = evaluator.list()[0]!;
    expect(alert.state).toBe('resolved');
    expect(alert.value).toBe(0);
    expect(alert.annotations.summary).toBe('web is 0% vs 5%');
    expect(alert.evidence).toBe('0 of 4 runs failed (0%) over 30s');
    expect(alert.firstFailureAt).toBe(T0);
  });

  it('renders annotations with the value and threshold in human units', () => {
    const latency = rule({
      alert: 'HighLatency',
      signal: 'latency_p95',
      op: '>',
      threshold: 2,
      minSamples: 1,
      windowMs: 10 * S,
      annotations: { summary: '{{probe}} p95 {{value}} > {{threshold}} ({{labels.service}})' },
    });
    const { evaluator } = run([latency], [[0, true, 2_510]], [0]);
    expect(evaluator.list()[0]!.annotations.summary).toBe('web p95 2.51s > 2s (prismai)');
  });
});

describe('reloads that change a rule', () => {
  it('raising `for` puts a firing alert back to pending (TestFiringAlertResetToPendingOnHoldDurationIncrease)', () => {
    const { evaluator, store } = run([rule({ forMs: 10 * S })], up(0, 60, false), [0, 10, 20]);
    expect(evaluator.list()[0]!.state).toBe('firing');
    const probes = [probeSpec('web')];
    evaluator.evaluate(T0 + 30 * S, [rule({ forMs: 60 * S })], probes, store);
    expect(evaluator.list()[0]!.state).toBe('pending');
    evaluator.evaluate(T0 + 60 * S, [rule({ forMs: 60 * S })], probes, store);
    expect(evaluator.list()[0]!.state).toBe('firing');
  });

  it('a changed threshold applies to the same alert at the next evaluation', () => {
    const latency = (threshold: number) =>
      rule({ alert: 'Slow', signal: 'latency_avg', op: '>', threshold, minSamples: 1, windowMs: 5 * S });
    const { evaluator, store } = run([latency(1)], [[0, true, 1_500]], [0]);
    expect(evaluator.list()[0]!.state).toBe('firing');
    evaluator.evaluate(T0 + 1 * S, [latency(2)], [probeSpec('web')], store);
    expect(evaluator.list()[0]!.state).toBe('resolved');
  });
});

describe('lifecycle', () => {
  it('keeps resolved alerts for 15 minutes, then forgets them; a new activation starts a new alert', () => {
    const { evaluator, store } = run(
      [rule({})],
      [
        [0, false],
        [10, true],
      ],
      [0, 10],
    );
    const rules = [rule({})];
    const probes = [probeSpec('web')];
    evaluator.evaluate(T0 + (10 + 15 * 60 - 1) * S, rules, probes, store);
    expect(evaluator.list()).toHaveLength(1);
    evaluator.evaluate(T0 + (10 + 15 * 60) * S, rules, probes, store);
    expect(evaluator.list()).toHaveLength(0);
    store.record(probes[0]!, result(T0 + 2_000 * S, false));
    evaluator.evaluate(T0 + 2_000 * S, rules, probes, store);
    expect(evaluator.list()[0]).toMatchObject({ state: 'firing', activeAt: T0 + 2_000 * S });
  });

  it('resolves at once when a reload removes the rule or the probe (no zombies)', () => {
    const { evaluator, store } = run([rule({})], [[0, false]], [0]);
    evaluator.evaluate(T0 + 10 * S, [], [probeSpec('web')], store);
    expect(evaluator.list()[0]!.state).toBe('resolved');
    const second = run([rule({ keepFiringForMs: 60 * S })], [[0, false]], [0]);
    second.evaluator.evaluate(
      T0 + 10 * S,
      [rule({ keepFiringForMs: 60 * S })],
      [probeSpec('renamed')],
      second.store,
    );
    const states = Object.fromEntries(second.evaluator.list().map((alert) => [alert.probe, alert.state]));
    expect(states.web).toBe('resolved');
  });

  it('labels alerts with the probe, its labels, the rule labels, alertname and severity; fingerprints are stable', () => {
    const { evaluator } = run([rule({ labels: { team: 'core' } })], [[0, false]], [0]);
    const [alert] = evaluator.list();
    expect(alert!.labels).toEqual({
      alertname: 'ProbeDown',
      severity: 'critical',
      probe: 'web',
      service: 'prismai',
      team: 'core',
    });
    expect(alert!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(
      run([rule({ labels: { team: 'core' } })], [[0, false]], [0]).evaluator.list()[0]!.fingerprint,
    ).toBe(alert!.fingerprint);
  });

  it('selects probes by name, kind and labels', () => {
    const probes = [probeSpec('web'), probeSpec('db', { kind: 'postgres', labels: {} })];
    const store = new ResultStore();
    for (const probe of probes) store.record(probe, result(T0, false));
    const evaluator = new AlertEvaluator();
    evaluator.evaluate(
      T0,
      [
        rule({ select: { kinds: ['postgres'] } }),
        rule({ alert: 'Other', select: { labels: { service: 'prismai' } } }),
      ],
      probes,
      store,
    );
    expect(
      evaluator
        .list()
        .map((alert) => `${alert.rule}:${alert.probe}`)
        .sort(),
    ).toEqual(['Other:web', 'ProbeDown:db']);
  });

  it('keeps a firing alert firing through evaluations without data (a restart empties the history)', () => {
    const probes = [probeSpec('web')];
    const evaluator = new AlertEvaluator();
    const before = new ResultStore();
    before.record(probes[0]!, result(T0, false));
    evaluator.evaluate(T0, [rule({})], probes, before);
    expect(evaluator.list()[0]!.state).toBe('firing');
    const empty = new ResultStore();
    const { changed } = evaluator.evaluate(T0 + 10 * S, [rule({})], probes, empty);
    expect(changed).toEqual([]);
    expect(evaluator.list()[0]!.state).toBe('firing');
    empty.record(probes[0]!, result(T0 + 15 * S, true));
    evaluator.evaluate(T0 + 20 * S, [rule({})], probes, empty);
    expect(evaluator.list()[0]!.state).toBe('resolved');
  });
});
