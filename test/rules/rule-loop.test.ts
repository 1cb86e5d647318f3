/**
 * The rule loop evaluates at its schedule's slots, as Prometheus stamps a group's evaluation with
 * its scheduled time: with a virtual clock whose ticks arrive a millisecond early or late, `for`
 * and `keep_firing_for` transitions happen at the first evaluation at or after the boundary.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/model/alert.js';
import { ResultStore } from '../../src/results/history.js';
import { AlertEvaluator } from '../../src/rules/evaluator.js';
import { RuleLoop } from '../../src/rules/rule-loop.js';
import { captureLog } from '../helpers/log.js';
import { probeSpec, ruleSpec, runResult } from '../helpers/specs.js';

const S = 1_000;
const T0 = 1_800_000_000_000;
const INTERVAL = 10 * S;

function metrics() {
  const registers = [new Registry()];
  return {
    ruleEvaluations: new Counter({ name: 'e', help: 'e', registers }),
    ruleEvaluationFailures: new Counter({ name: 'f', help: 'f', registers }),
    ruleEvaluationSeconds: new Gauge({ name: 's', help: 's', registers }),
  };
}

const failed = (at: number) => runResult(at, false);
const passed = (at: number) => runResult(at, true);

/**
 * A probe down from T0 until `recoverAt` (seconds), one result a second; ticks at every slot
 * shifted by `jitterMs(k)`. Returns the slot (seconds after T0) of each state change.
 */
function timeline(options: {
  forS: number;
  keepFiringForS?: number;
  recoverAt: number;
  jitterMs: (k: number) => number;
}) {
  let clock = T0;
  const web = probeSpec('web');
  const rule = ruleSpec({
    forMs: options.forS * S,
    keepFiringForMs: (options.keepFiringForS ?? 0) * S,
  });
  const results = new ResultStore();
  const evaluator = new AlertEvaluator();
  const changes: string[] = [];
  const loop = new RuleLoop({
    evaluator,
    results,
    state: { saveAlerts: () => {} },
    sink: { afterEvaluation: (_alerts: readonly Alert[]) => {} },
    otherAlerts: () => [],
    metrics: metrics(),
    log: captureLog('error').log,
    now: () => clock,
  });
  loop.start(INTERVAL, () => ({ rules: [rule], probes: [web] }));
  loop.stop(); // the virtual clock drives the ticks; start() fixed the schedule's origin and interval
  let last = '-';
  let recorded = T0 - S;
  for (let k = 1; k <= 30; k++) {
    clock = T0 + k * INTERVAL + options.jitterMs(k);
    for (; recorded + S <= clock; recorded += S) {
      const at = recorded + S;
      results.record(web, at < T0 + options.recoverAt * S ? failed(at) : passed(at));
    }
    loop.tick();
    const state = evaluator.list()[0]?.state ?? '-';
    if (state !== last) changes.push(`${k * 10}s ${state}`);
    last = state;
  }
  return changes;
}

describe('the rule loop on its schedule', () => {
  for (const [name, jitter] of [
    ['on time', () => 0],
    ['a millisecond early', () => -1],
    ['a millisecond late', () => 1],
    ['alternately early and late', (k: number) => (k % 2 === 0 ? -1 : 1)],
  ] as const) {
    it(`fires at the first slot at or after \`for\`, and resolves after keep_firing_for, with ticks ${name}`, () => {
      expect(timeline({ forS: 30, keepFiringForS: 20, recoverAt: 95, jitterMs: jitter })).toEqual([
        '10s pending',
        '40s firing', // active since the 10 s slot: 30 s held at the 40 s slot
        '120s resolved', // the condition stopped holding at the 100 s slot; kept firing 20 s
      ]);
    });
  }

  it('stamps an evaluation with its slot, not the clock, and evaluates a slot once', () => {
    let clock = T0;
    const saved: number[] = [];
    const loop = new RuleLoop({
      evaluator: new AlertEvaluator(),
      results: new ResultStore(),
      state: { saveAlerts: (_alerts, at) => saved.push(at) },
      sink: { afterEvaluation: () => {} },
      otherAlerts: () => [],
      metrics: metrics(),
      log: captureLog('error').log,
      now: () => clock,
    });
    loop.start(INTERVAL, () => ({ rules: [], probes: [] }));
    loop.stop();
    for (const at of [
      T0 + INTERVAL - 1,
      T0 + INTERVAL + 2,
      T0 + 2 * INTERVAL + 4_999,
      T0 + 3 * INTERVAL + 5_001,
    ]) {
      clock = at;
      loop.tick();
    }
    expect(saved.map((at) => (at - T0) / S)).toEqual([10, 20, 40]);
  });
});
