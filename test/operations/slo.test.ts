/**
 * SLOs with error budgets. The same burn, minute by minute, goes through prismwatch's SLO engine
 * and — as the counters prismwatch exports — through Prometheus's rule engine (promtool test
 * rules with the exported recording and alerting rules): both fire the page and the ticket at the
 * same evaluation, and resolve together. A daemon keeps the budget across a restart.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { burnTiers } from '../../src/slo/burn-windows.js';
import { SloEngine } from '../../src/slo/engine.js';
import { exportSloRuleGroups } from '../../src/slo/export.js';
import type { SloSpec } from '../../src/slo/model.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { tempDataDir } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { probeSpec } from '../helpers/specs.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;
const MINUTE = 60_000;

const slo: SloSpec = {
  name: 'checkout',
  select: { names: ['api'] },
  objective: 0.999,
  windowMs: 30 * 24 * 60 * MINUTE,
  labels: { team: 'payments' },
  source: { file: 't', line: 1 },
};

/**
 * Six runs a minute for 150 minutes from the moment prismwatch starts counting: every run fails
 * for minutes 5–7 (a daemon too young to judge an hour), healthy until minute 60, then one run in
 * six failing for ten minutes (a fast burn: 167× the budget), then healthy again.
 */
function failsAt(minute: number, run: number): boolean {
  return (minute >= 5 && minute < 8) || (minute >= 60 && minute < 70 && run === 0);
}

describe('SLO burn-rate alerts', () => {
  it('has the workbook’s tiers for a 30-day SLO, and scales their windows with the period', () => {
    expect(
      burnTiers(slo).map((tier) =>
        tier.windows.map((w) => [w.longMs / MINUTE, w.shortMs / MINUTE, w.factor]),
      ),
    ).toEqual([
      [
        [60, 5, 14.4],
        [360, 30, 6],
      ],
      [
        [1440, 120, 3],
        [4320, 360, 1],
      ],
    ]);
    expect(burnTiers({ windowMs: 7 * 24 * 60 * MINUTE })[0]!.windows[0]).toEqual({
      longMs: 14 * MINUTE,
      shortMs: MINUTE,
      factor: 14.4,
    });
  });

  it('fire in prismwatch and in Prometheus (promtool) at the same evaluation', () => {
    const engine = new SloEngine();
    const api = probeSpec('api');
    engine.configure([slo], [api], 0);
    const good: number[] = [0];
    const bad: number[] = [0];
    const firing: string[][] = [];
    for (let minute = 1; minute <= 150; minute++) {
      let goodRuns = 0;
      let badRuns = 0;
      for (let run = 0; run < 6; run++) {
        const failed = failsAt(minute - 1, run);
        engine.record(api, {
          startedAt: (minute - 1) * MINUTE + (run * 10 + 5) * 1000,
          ok: !failed,
          durationMs: 50,
        });
        if (failed) badRuns += 1;
        else goodRuns += 1;
      }
      good.push(good.at(-1)! + goodRuns);
      bad.push(bad.at(-1)! + badRuns);
      firing[minute] = engine
        .evaluate(minute * MINUTE)
        .filter((alert) => alert.state === 'firing')
        .map((alert) => alert.labels.severity!)
        .sort();
    }
    const first = (severity: string) => firing.findIndex((list) => list?.includes(severity));
    const page = first('critical');
    // Nothing pages in the first hour, however bad it is: no pair's long window is covered yet.
    // At minute 60 the hour holds 18 bad runs of 360 (5 %, above 14.4 × 0.1 %) but the last 5 m
    // none; the page comes when the burst's first bad run lands in the 5 m window.
    expect(page).toBe(61);
    // The ticket needs a day of data: not in these 150 minutes.
    expect(first('warning')).toBe(-1);
    // It resolves when the short window recovers: 5 minutes after the burst's last bad run.
    const pageResolved = firing.findIndex(
      (list, minute) => minute > page && list && !list.includes('critical'),
    );
    expect(pageResolved).toBe(75);

    if (!promtool) {
      expect(process.env.CI, 'promtool is missing: .ci/run must install prometheus').not.toBe('true');
      return;
    }
    // Annotations render $value; the test is about when alerts fire, so they are left out.
    const groups = exportSloRuleGroups([slo]).map((group) => ({
      ...group,
      rules: (group.rules as Array<Record<string, unknown>>).map(({ annotations: _, ...rule }) => rule),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-slo-'));
    writeFileSync(join(dir, 'slo.yml'), stringify({ groups }, { lineWidth: 0 }));
    const alertTests = [];
    for (let minute = 1; minute <= 150; minute++)
      alertTests.push({
        eval_time: `${minute}m`,
        alertname: 'ErrorBudgetBurn',
        exp_alerts: firing[minute]!.map((severity) => ({
          exp_labels: { severity, slo: 'checkout', team: 'payments' },
        })),
      });
    writeFileSync(
      join(dir, 'test.yml'),
      stringify(
        {
          rule_files: ['slo.yml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                {
                  series: 'prismwatch_slo_events_total{slo="checkout",outcome="good"}',
                  values: good.join(' '),
                },
                {
                  series: 'prismwatch_slo_events_total{slo="checkout",outcome="bad"}',
                  values: bad.join(' '),
                },
                {
                  series: 'prismwatch_slo_observed_since_timestamp_seconds{slo="checkout"}',
                  values: '0+0x150',
                },
              ],
              alert_rule_test: alertTests,
            },
          ],
        },
        { lineWidth: 0 },
      ),
    );
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'test.yml')], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('says "insufficient data" while young instead of paging, keeps its counts and start across a restart, on the API, the metrics and the page', async () => {
    const state = { ok: true };
    const target = await withHttpServer((_req, res) => res.writeHead(state.ok ? 200 : 500).end());
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: api, kind: http, url: "${target.url}/", interval: 200ms, timeout: 150ms }
slos:
  - { name: checkout, select: { names: [api] }, objective: 99.9, window: 30d }
`,
    );
    const dataDir = tempDataDir();
    const first = await startDaemon(dir.path, { dataDir, evaluationIntervalMs: 100 });
    state.ok = false;
    await eventually(
      async () =>
        (sample(await first.scrape(), 'prismwatch_slo_events_total', { slo: 'checkout', outcome: 'bad' }) ??
          0) >= 3,
      10_000,
    );
    type SloJson = {
      name: string;
      state: string;
      observedSince: string;
      insufficientDataFor?: string;
      events: number;
      ratio: number;
      errorBudgetRemaining?: number;
      firing: string[];
      window: string;
    };
    const read = async (base: string) =>
      ((await (await fetch(`${base}/api/v1/slos`)).json()) as { slos: SloJson[] }).slos[0]!;
    // Every run failing, a few seconds in: no page, no −99,900 % budget, but the time left.
    const young = await read(first.daemon.baseUrl);
    expect(young).toMatchObject({ state: 'insufficient_data', firing: [] });
    expect(young.errorBudgetRemaining).toBeUndefined();
    expect(young.insufficientDataFor).toMatch(/^(59m|1h)/);
    const since = sample(await first.scrape(), 'prismwatch_slo_observed_since_timestamp_seconds', {
      slo: 'checkout',
    });
    expect(since! * 1000).toBe(Date.parse(young.observedSince));
    await first.daemon.stop();

    state.ok = true;
    const second = await startDaemon(dir.path, { dataDir, evaluationIntervalMs: 100 });
    const after = await read(second.daemon.baseUrl);
    expect(after).toMatchObject({ name: 'checkout', window: '30d', observedSince: young.observedSince });
    expect(after.events).toBeGreaterThanOrEqual(young.events);
    expect(after.ratio).toBeLessThan(1);
    const page = await (await fetch(`${second.daemon.baseUrl}/`)).text();
    expect(page).toContain('<h2 id="slos-h">Service level objectives</h2>');
    expect(page).toMatch(/<tr id="slo-checkout"><th scope="row"><span class="name">checkout<\/span>/);
    expect(page).toMatch(/INSUFFICIENT DATA.*insufficient data: (59m|1h) left/s);
    expect(sample(await second.scrape(), 'prismwatch_slo_objective_ratio', { slo: 'checkout' })).toBe(0.999);
  }, 240_000);

  it('is exhausted once covered data has spent the whole budget', () => {
    const engine = new SloEngine();
    const api = probeSpec('api');
    engine.configure([slo], [api], 0);
    for (let minute = 0; minute < 120; minute++)
      engine.record(api, { startedAt: minute * MINUTE + 1000, ok: minute !== 3, durationMs: 10 });
    // One bad run in 120 over two quiet hours: 0.83 %, eight times the 0.1 % budget, and no burn pair above its factor now.
    engine.evaluate(120 * MINUTE);
    const [status] = engine.status(120 * MINUTE);
    expect(status!.budgetRemaining!).toBeLessThan(0);
    expect(status!.state).toBe('exhausted');
    expect(engine.status(30 * MINUTE)[0]!.state).toBe('insufficient_data');
  });
});
