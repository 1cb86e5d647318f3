/**
 * Issue 20's figures: what the operations features cost at scale. Prints a Markdown table for
 * docs/benchmarks.md. In-process, no network.
 *
 * npm run bench:operations
 *   status page: render time and size for 1,000 probes with 90 days of uptime (quiet probes, and
 *   probes with a bad day every week), incidents and SLOs on the page;
 *   SLO engine: recording 10,000 runs/s into 10 SLOs, and one evaluation of 10 30-day SLOs with
 *   a full window of minute buckets;
 *   incident log: one evaluation's observe() over 1,000 firing alerts, unchanged and all changed.
 */
import Database from 'better-sqlite3';
import type { Alert } from '../src/model/alert.js';
import type { ProbeSpec } from '../src/model/probe.js';
import { ResultStore } from '../src/results/history.js';
import { renderStatusPage } from '../src/server/status-page.js';
import { renderStatusPageInSlices } from '../src/server/status-render.js';
import { SloEngine } from '../src/slo/engine.js';
import type { SloSpec } from '../src/slo/model.js';
import { IncidentLog } from '../src/state/incidents.js';
import { firingAlerts } from './lib.js';

const DAY = 86_400_000;
const now = Date.now();

function probes(count: number): ProbeSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `p${i}`,
    kind: 'http',
    intervalMs: 10_000,
    timeoutMs: 5_000,
    labels: { service: `s${i % 10}` },
    settings: { url: `http://127.0.0.1:1/${i}`, method: 'GET' },
    source: { file: 'bench', line: i },
  })) as ProbeSpec[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(run: () => void, times = 7): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** 1,000 probes with 90 days of uptime, a bad day every `badDayEvery` days (none when undefined). */
function withHistory(badDayEvery: number | undefined): { specs: ProbeSpec[]; results: ResultStore } {
  const specs = probes(1_000);
  const results = new ResultStore();
  for (const spec of specs)
    for (let day = 0; day < 90; day++)
      results
        .uptimeOf(spec.name)
        .record(now - day * DAY, badDayEvery === undefined || day % badDayEvery !== 0);
  return { specs, results };
}

/** The status page's view of those probes, as the daemon builds it with nothing firing. */
const pageView = ({ specs, results }: { specs: ProbeSpec[]; results: ResultStore }) => ({
  probes: specs,
  results,
  alerts: [],
  silences: [],
  now,
  version: 'bench',
});

function statusPage(badDayEvery: number | undefined): { ms: number; bytes: number } {
  const view = pageView(withHistory(badDayEvery));
  let bytes = 0;
  const ms = timed(() => {
    bytes = renderStatusPage(view).length;
  });
  return { ms, bytes };
}

/**
 * The same page rendered in slices (status-render.ts), as the daemon serves it: the whole render's
 * time, and the longest the event loop was held at once (the gap between two ticks of a
 * setImmediate loop running beside it).
 */
async function slicedStatusPage(): Promise<{ totalMs: number; longestBlockMs: number }> {
  const view = pageView(withHistory(7));
  const totals: number[] = [];
  const blocks: number[] = [];
  for (let i = 0; i < 7; i++) {
    let longest = 0;
    let last = performance.now();
    let running = true;
    const tick = () => {
      const at = performance.now();
      longest = Math.max(longest, at - last);
      last = at;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const started = performance.now();
    await renderStatusPageInSlices(view);
    totals.push(performance.now() - started);
    running = false;
    blocks.push(longest);
  }
  return { totalMs: median(totals), longestBlockMs: median(blocks) };
}

function sloFigures(): { recordUs: number; evaluateMs: number } {
  const specs = probes(1_000);
  const slos: SloSpec[] = Array.from({ length: 10 }, (_, i) => ({
    name: `slo${i}`,
    select: { labels: { service: `s${i}` } },
    objective: 0.999,
    windowMs: 30 * DAY,
    labels: {},
    source: { file: 'bench', line: i },
  }));
  const engine = new SloEngine();
  engine.configure(slos, specs);
  // A full 30-day window: one run a minute per SLO (counts, not runs, are what evaluation reads).
  for (let minute = 0; minute < 30 * 24 * 60; minute++)
    for (let i = 0; i < 10; i++)
      engine.record(specs[i]!, { startedAt: now - minute * 60_000, ok: minute % 97 !== 0, durationMs: 20 });
  const runs = 100_000;
  const started = performance.now();
  for (let i = 0; i < runs; i++)
    engine.record(specs[i % 1_000]!, { startedAt: now, ok: true, durationMs: 20 });
  const recordUs = ((performance.now() - started) * 1000) / runs;
  const evaluateMs = timed(() => engine.evaluate(now));
  return { recordUs, evaluateMs };
}

function incidentFigures(): { unchangedMs: number; changedMs: number } {
  const log = new IncidentLog(new Database(':memory:'));
  const alerts = (reason: string): Alert[] =>
    firingAlerts(1_000, now - 30_000, {
      failure: { code: 'timeout', message: reason },
      activeAt: now - 60_000,
    });
  log.observe(alerts('first'), now);
  const same = alerts('first');
  const unchangedMs = timed(() => log.observe(same, now));
  let n = 0;
  const changedMs = timed(() => log.observe(alerts(`reason ${n++}`), now));
  return { unchangedMs, changedMs };
}

const quiet = statusPage(undefined);
const weekly = statusPage(7);
const sliced = await slicedStatusPage();
const slo = sloFigures();
const incidents = incidentFigures();
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
console.log('| figure | median of 7 |');
console.log('| --- | --- |');
console.log(
  `| status page, 1,000 quiet probes with 90 days of uptime | ${quiet.ms.toFixed(0)} ms, ${kb(quiet.bytes)} |`,
);
console.log(
  `| status page, 1,000 probes with a bad day every week | ${weekly.ms.toFixed(0)} ms, ${kb(weekly.bytes)} |`,
);
console.log(
  `| status page in slices (as served), 1,000 probes, a bad day every week | ${sliced.totalMs.toFixed(0)} ms in all, the loop held at most ${sliced.longestBlockMs.toFixed(1)} ms at once |`,
);
console.log(`| SLO engine: record one run (10 SLOs over 1,000 probes) | ${slo.recordUs.toFixed(2)} µs |`);
console.log(`| SLO engine: evaluate 10 SLOs with full 30-day windows | ${slo.evaluateMs.toFixed(1)} ms |`);
console.log(
  `| incidents: observe 1,000 firing alerts, nothing changed | ${incidents.unchangedMs.toFixed(1)} ms |`,
);
console.log(
  `| incidents: observe 1,000 firing alerts, every reason changed | ${incidents.changedMs.toFixed(1)} ms |`,
);
