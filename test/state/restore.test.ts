/**
 * Alert state across restarts (issue: "State that survives"), with Prometheus's RestoreForState
 * semantics: downtime does not count toward `for`; an unchanged firing alert is not announced
 * again; a condition that changed while prismwatch was down is noticed on the first evaluation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ResultStore } from '../../src/results/history.js';
import { AlertEvaluator } from '../../src/rules/evaluator.js';
import { StateStore } from '../../src/state/store.js';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';
import { probeSpec, ruleSpec, runResult } from '../helpers/specs.js';

const S = 1_000;
const T0 = 1_800_000_000_000;
const web = probeSpec('web');
const rule = (forMs: number) => ruleSpec({ forMs });
const failing = (at: number) => runResult(at, false);
const passing = (at: number) => runResult(at, true);

function tempStore(): { dir: string; open: () => StateStore } {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-state-'));
  const stores: StateStore[] = [];
  onTestFinished(() => {
    for (const store of stores) store.close();
  });
  return {
    dir,
    open: () => {
      const store = new StateStore(dir);
      stores.push(store);
      return store;
    },
  };
}

/** Evaluates, saves, then "restarts" after `downtime`: a new evaluator restored from a new store. */
function restartAfter(
  evaluator: AlertEvaluator,
  open: () => StateStore,
  evaluatedAt: number,
  restartAt: number,
) {
  const before = open();
  before.save(evaluator.list(), evaluatedAt);
  before.close();
  const after = open();
  const { alerts, lastEvaluationAt } = after.load();
  const restored = new AlertEvaluator();
  restored.restore(alerts, restartAt - lastEvaluationAt!);
  return restored;
}

describe('restoring alert state', () => {
  it('does not count downtime toward `for`', () => {
    const { open } = tempStore();
    const results = new ResultStore();
    results.record(web, failing(T0));
    const evaluator = new AlertEvaluator();
    evaluator.evaluate(T0, [rule(60 * S)], [web], results);
    evaluator.evaluate(T0 + 30 * S, [rule(60 * S)], [web], results);
    // Down for 10 minutes after 30 s of pending; 30 s of `for` are still owed after the restart.
    const restored = restartAfter(evaluator, open, T0 + 30 * S, T0 + 630 * S);
    results.record(web, failing(T0 + 630 * S));
    restored.evaluate(T0 + 631 * S, [rule(60 * S)], [web], results);
    expect(restored.list()[0]!.state).toBe('pending');
    restored.evaluate(T0 + 660 * S, [rule(60 * S)], [web], results);
    expect(restored.list()[0]!.state).toBe('firing');
  });

  it('keeps an unchanged firing alert firing without announcing it again', () => {
    const { open } = tempStore();
    const results = new ResultStore();
    results.record(web, failing(T0));
    const evaluator = new AlertEvaluator();
    evaluator.evaluate(T0, [rule(0)], [web], results);
    const firedAt = evaluator.list()[0]!.firedAt;
    const restored = restartAfter(evaluator, open, T0, T0 + 120 * S);
    results.record(web, failing(T0 + 120 * S));
    const { changed } = restored.evaluate(T0 + 121 * S, [rule(0)], [web], results);
    expect(changed).toEqual([]);
    expect(restored.list()[0]).toMatchObject({ state: 'firing', firedAt });
  });

  it('notices a condition that changed while prismwatch was down', () => {
    const { open } = tempStore();
    const results = new ResultStore();
    results.record(web, failing(T0));
    const evaluator = new AlertEvaluator();
    evaluator.evaluate(T0, [rule(0)], [web], results);
    const restored = restartAfter(evaluator, open, T0, T0 + 120 * S);
    results.record(web, passing(T0 + 120 * S));
    const { changed } = restored.evaluate(T0 + 121 * S, [rule(0)], [web], results);
    expect(changed.map((alert) => alert.state)).toEqual(['resolved']);
  });
});

describe('the daemon across a restart', () => {
  it('comes back with the alert firing since the same moment, without logging it as new', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url, interval: '100ms' }]));
    dir.write(
      'r.yaml',
      "rules:\n  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0 }\n",
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-data-'));
    const start = () => startDaemon(dir.path, { evaluationIntervalMs: 100, dataDir });
    const first = await start();
    const firing = await eventually(() =>
      first.daemon.alerts.list().find((alert) => alert.state === 'firing'),
    );
    await first.daemon.stop();
    const second = await start();
    expect(second.daemon.alerts.list()[0]).toMatchObject({
      state: 'firing',
      activeAt: firing.activeAt,
      firedAt: firing.firedAt,
    });
    expect(second.logs.lines.find((line) => line.msg === 'Alert state restored')).toMatchObject({
      alerts: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(second.logs.lines.filter((line) => line.msg === 'Alert firing')).toEqual([]);
  });
});
