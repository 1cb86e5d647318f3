import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProbeSpec } from '../../src/model/probe.js';
import { type ScheduledRun, Scheduler } from '../../src/scheduler/scheduler.js';

function spec(name: string, intervalMs: number, extra: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    name,
    kind: 'http',
    intervalMs,
    timeoutMs: intervalMs / 2,
    labels: {},
    settings: {},
    source: { file: 't', line: 1 },
    ...extra,
  };
}

interface Harness {
  scheduler: Scheduler;
  runs: ScheduledRun[];
  skips: Array<[string, string]>;
  lags: number[];
  failures: Array<[string, unknown]>;
}

function harness(
  options: {
    runMs?: number | ((run: ScheduledRun) => number);
    maxConcurrency?: number;
    throwOnRun?: boolean;
  } = {},
): Harness {
  const runs: ScheduledRun[] = [];
  const failures: Array<[string, unknown]> = [];
  const skips: Array<[string, string]> = [];
  const lags: number[] = [];
  const scheduler = new Scheduler({
    now: () => Date.now(),
    maxConcurrency: options.maxConcurrency ?? 100,
    hooks: {
      run: async (run) => {
        runs.push(run);
        if (options.throwOnRun) throw new Error('a bug while recording');
        const ms = typeof options.runMs === 'function' ? options.runMs(run) : (options.runMs ?? 0);
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      },
      skipped: (s, reason) => skips.push([s.name, reason]),
      started: (lag) => lags.push(lag),
      failed: (s, error) => failures.push([s.name, error]),
    },
  });
  return { scheduler, runs, skips, lags, failures };
}

describe('Scheduler (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each interval probe once per interval at its stable phase, with zero lag', async () => {
    const h = harness();
    h.scheduler.sync([spec('a', 1_000), spec('b', 1_000), spec('c', 2_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const count = (name: string) => h.runs.filter((run) => run.spec.name === name).length;
    expect(count('a')).toBe(10);
    expect(count('b')).toBe(10);
    expect(count('c')).toBe(5);
    // Every run of a probe lands on the same phase of its interval, derived from its name.
    const phases = new Set(h.runs.filter((r) => r.spec.name === 'a').map((r) => r.plannedAt % 1_000));
    expect(phases.size).toBe(1);
    expect(Math.max(...h.lags)).toBe(0);
    await h.scheduler.stop(100);
  });

  it('contains a run that throws past the prober: reported, and the probe keeps its schedule', async () => {
    const h = harness({ throwOnRun: true });
    h.scheduler.sync([spec('a', 1_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.runs).toHaveLength(5);
    expect(h.failures.map(([name]) => name)).toEqual(['a', 'a', 'a', 'a', 'a']);
    await h.scheduler.stop(100);
  });

  it('arms a far-off run (an interval of months) without overflowing the timer', async () => {
    const h = harness();
    h.scheduler.sync([spec('slow', 300 * 86_400_000)]);
    h.scheduler.start();
    // An overflowing setTimeout fires after 1 ms, again and again: nothing may run early.
    await vi.advanceTimersByTimeAsync(25 * 86_400_000);
    expect(h.runs.length).toBeLessThanOrEqual(1);
    await h.scheduler.stop(100);
  });

  it('spreads 1,000 probes across the interval instead of firing them together', async () => {
    const h = harness();
    h.scheduler.sync(Array.from({ length: 1_000 }, (_, i) => spec(`p${i}`, 10_000)));
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.runs).toHaveLength(1_000);
    const perSecond = new Map<number, number>();
    for (const run of h.runs) {
      const second = Math.floor((run.plannedAt % 10_000) / 1_000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThan(140);
    await h.scheduler.stop(100);
  });

  it('never overlaps a probe with itself: a late run is skipped and counted', async () => {
    const h = harness({ runMs: 2_500 });
    h.scheduler.sync([spec('slow', 1_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(6_000);
    // Runs start at t0, t0+3s; the slots in between are skipped as overlaps.
    expect(h.runs.length).toBe(2);
    expect(h.skips.filter(([, reason]) => reason === 'overlap').length).toBe(4);
    const stopped = h.scheduler.stop(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await stopped;
  });

  it('caps concurrency and reports the wait as lag', async () => {
    let inFlight = 0;
    let peak = 0;
    const h = harness({
      maxConcurrency: 2,
      runMs: () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight -= 1;
        }, 40_000);
        return 40_000;
      },
    });
    h.scheduler.sync(Array.from({ length: 6 }, (_, i) => spec(`p${i}`, 60_000)));
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(peak).toBe(2);
    expect(Math.max(...h.lags)).toBeGreaterThan(0);
    const stopped = h.scheduler.stop(200_000);
    await vi.advanceTimersByTimeAsync(200_000);
    await stopped;
  });

  it('counts slots missed when the process fell behind, without a burst of catch-up runs', async () => {
    const h = harness();
    h.scheduler.sync([spec('a', 1_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = h.runs.length;
    // Jump the clock 5 s without timers firing, as a suspended process would see.
    vi.setSystemTime(Date.now() + 5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.runs.length - before).toBeLessThanOrEqual(2);
    expect(h.skips.filter(([, reason]) => reason === 'missed').length).toBeGreaterThanOrEqual(4);
    await h.scheduler.stop(100);
  });

  it('sync keeps unchanged probes, drops removed ones and adds new ones', async () => {
    const h = harness();
    const a = spec('a', 1_000);
    h.scheduler.sync([a, spec('b', 1_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(2_000);
    h.scheduler.sync([a, spec('c', 1_000)]);
    h.runs.length = 0;
    await vi.advanceTimersByTimeAsync(3_000);
    const names = new Set(h.runs.map((run) => run.spec.name));
    expect([...names].sort()).toEqual(['a', 'c']);
    expect(h.scheduler.size).toBe(2);
    await h.scheduler.stop(100);
  });

  it('stop() waits for in-flight runs up to the grace period and then reports them', async () => {
    const h = harness({ runMs: 25_000 });
    h.scheduler.sync([spec('a', 10_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const stopped = h.scheduler.stop(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await stopped).toBe(1);
  });
});

describe('Scheduler (real clock)', () => {
  it('runs cron schedules through node-cron', async () => {
    const h = harness();
    h.scheduler.sync([spec('every-second', 0, { intervalMs: undefined, schedule: '* * * * * *' })]);
    h.scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await h.scheduler.stop(100);
    expect(h.runs.length).toBeGreaterThanOrEqual(2);
    expect(h.runs.every((run) => run.plannedAt % 1_000 === 0)).toBe(true);
  });
});

describe('Scheduler: the first run', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every probe within 10 s of start, whatever its interval, then on its slot half an interval on or later', async () => {
    const h = harness();
    const hour = 3_600_000;
    const start = Date.now();
    h.scheduler.sync([spec('hourly', hour), spec('quarter', 15 * 60_000), spec('fast', 1_000)]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(new Set(h.runs.map((run) => run.spec.name))).toEqual(new Set(['hourly', 'quarter', 'fast']));
    await vi.advanceTimersByTimeAsync(3 * hour);
    const hourly = h.runs.filter((run) => run.spec.name === 'hourly').map((run) => run.plannedAt);
    expect(hourly[0]! - start).toBeLessThan(10_000);
    expect(hourly[1]! - hourly[0]!).toBeGreaterThanOrEqual(hour / 2);
    // From the second run on, every run lands on the probe's one phase.
    expect(new Set(hourly.slice(1).map((at) => at % hour)).size).toBe(1);
    expect(hourly.length).toBeGreaterThanOrEqual(3);
    await h.scheduler.stop(100);
  });
});
