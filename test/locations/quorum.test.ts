/**
 * quorum: K evaluated by prismwatch over the locations agents run a probe at (rules/quorum.ts):
 * one location alone is a ProbeLocationDegraded warning about it; K or more are the rule's own
 * alert, once, without a location; a location without current data counts neither way.
 */
import { describe, expect, it } from 'vitest';
import { atLocation } from '../../src/locations/agent-spec.js';
import type { ProbeSpec } from '../../src/model/probe.js';
import { ResultStore } from '../../src/results/history.js';
import { AlertEvaluator } from '../../src/rules/evaluator.js';
import { probeSpec, ruleSpec, runResult } from '../helpers/specs.js';

const LOCATIONS = ['eu-1', 'us-1', 'ap-1'];
const base = probeSpec('checkout', { labels: { service: 'shop' } });
const copies = LOCATIONS.map((location) => atLocation(base, location));
const rule = ruleSpec({ quorum: 2, forMs: 2_000, annotations: { summary: '{{probe}} is down' } });

function world() {
  const results = new ResultStore();
  const evaluator = new AlertEvaluator();
  let now = 1_000_000;
  const run = (failing: readonly string[], held: readonly string[] = []) => {
    now += 1_000;
    for (const copy of copies)
      results.record(copy, runResult(now - 500, !failing.includes(copy.agent!.location)));
    evaluator.evaluate(now, [rule], copies, results, 1_000, (probe: ProbeSpec) =>
      held.includes(probe.agent?.location ?? ''),
    );
    return evaluator.list().filter((alert) => alert.state !== 'resolved');
  };
  const firing = () => evaluator.list().filter((alert) => alert.state === 'firing');
  return { run, firing };
}

describe("native quorum over agents' locations", () => {
  it('one location failing is a warning about that location, never the page', () => {
    const { run, firing } = world();
    for (let i = 0; i < 6; i++) run(['eu-1']);
    expect(firing().map((alert) => alert.labels)).toEqual([
      {
        service: 'shop',
        location: 'eu-1',
        probe: 'checkout',
        quorum_rule: 'ProbeDown',
        alertname: 'ProbeLocationDegraded',
        severity: 'warning',
      },
    ]);
    expect(firing()[0]!.annotations.summary).toBe(
      'checkout: ProbeDown seen from eu-1 only (fewer than 2 locations)',
    );
  });

  it('K locations make one alert without a location, naming them; the warnings give way', () => {
    const { run, firing } = world();
    run(['eu-1']);
    for (let i = 0; i < 6; i++) run(['eu-1', 'us-1', 'ap-1']);
    expect(firing()).toHaveLength(1);
    const page = firing()[0]!;
    expect(page.labels).toEqual({
      service: 'shop',
      probe: 'checkout',
      alertname: 'ProbeDown',
      severity: 'critical',
    });
    expect(page.annotations.locations).toBe('ap-1, eu-1, us-1');
    expect(page.annotations.summary).toBe('checkout is down');
    for (let i = 0; i < 3; i++) run([]);
    expect(firing()).toHaveLength(0);
  });

  it('follows for: a quorum reached for less than for pages nobody', () => {
    const { run, firing } = world();
    run(['eu-1', 'us-1']);
    run(['eu-1', 'us-1']);
    run([]);
    expect(firing()).toHaveLength(0);
  });

  it('a location without current data counts neither way, and holds its own warning as it is', () => {
    const { run, firing } = world();
    for (let i = 0; i < 4; i++) run(['eu-1']);
    expect(firing().map((alert) => alert.labels.location)).toEqual(['eu-1']);
    // eu-1's agent goes away while its copy still reads as failing: its warning stays, nothing new fires.
    for (let i = 0; i < 4; i++) run(['eu-1', 'us-1'], ['eu-1']);
    expect(
      firing()
        .map((alert) => `${alert.labels.alertname}:${alert.labels.location}`)
        .sort(),
    ).toEqual(['ProbeLocationDegraded:eu-1', 'ProbeLocationDegraded:us-1']);
    // Every location without data: every alert stays as it is.
    for (let i = 0; i < 4; i++) run(['eu-1', 'us-1', 'ap-1'], LOCATIONS);
    expect(firing().map((alert) => alert.labels.alertname)).not.toContain('ProbeDown');
  });

  it('a rule or SLO that selects a probe by name selects its copies at every location', () => {
    const results = new ResultStore();
    const evaluator = new AlertEvaluator();
    for (const copy of copies) results.record(copy, runResult(999_000, false));
    evaluator.evaluate(1_000_000, [ruleSpec({ select: { names: ['checkout'] } })], copies, results);
    expect(
      evaluator
        .list()
        .map((alert) => alert.labels.location)
        .sort(),
    ).toEqual(['ap-1', 'eu-1', 'us-1']);
  });

  it('probes no agent runs are judged as before, quorum or not', () => {
    const results = new ResultStore();
    const evaluator = new AlertEvaluator();
    const local = probeSpec('local');
    results.record(local, runResult(999_000, false));
    evaluator.evaluate(1_000_000, [ruleSpec({ quorum: 2 })], [local], results);
    expect(evaluator.list().map((alert) => alert.labels.alertname)).toEqual(['ProbeDown']);
  });
});
