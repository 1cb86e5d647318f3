/**
 * The k6 smoke traffic replayed with undici, for machines without a k6 binary: the stand-in's
 * three endpoints, one round per virtual user per second (k6/prismai.ts), and concurrent readers
 * of prismwatch's /metrics, API and status page (k6/prismwatch.ts), with the same ramping stages
 * (src/demo/profiles.ts) and thresholds. Used by `npm run bench:k6-smoke` and a CI test.
 */
import { Agent, request } from 'undici';
import { quantile } from '../rules/signals.js';
import { PROFILES, type Stage } from './profiles.js';

function seconds(duration: string, scale: number): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported stage duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1) * scale;
}

/** Target VUs at `t` seconds into the stages, ramping linearly within each (k6 ramping-vus). */
function vusAt(stages: readonly Stage[], t: number, scale: number): number {
  let start = 0;
  let from = 0;
  for (const stage of stages) {
    const length = seconds(stage.duration, scale);
    if (t < start + length) return Math.round(from + ((stage.target - from) * (t - start)) / length);
    start += length;
    from = stage.target;
  }
  return -1;
}

interface Tally {
  durations: number[];
  failed: number;
}

interface ProfileRun {
  readonly tallies: Map<string, Tally>;
  readonly elapsedSeconds: number;
}

async function runProfile(
  stages: readonly Stage[],
  scale: number,
  round: (tally: (endpoint: string, ms: number, ok: boolean) => void) => Promise<void>,
  pauseMs: number,
): Promise<ProfileRun> {
  const tallies = new Map<string, Tally>();
  const tally = (endpoint: string, ms: number, ok: boolean) => {
    const entry = tallies.get(endpoint) ?? { durations: [], failed: 0 };
    entry.durations.push(ms);
    if (!ok) entry.failed += 1;
    tallies.set(endpoint, entry);
  };
  const started = performance.now();
  let running = 0;
  let done = false;
  const vu = async (id: number) => {
    running += 1;
    while (!done) {
      const t = (performance.now() - started) / 1000;
      if (id >= vusAt(stages, t, scale)) break;
      await round(tally);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    running -= 1;
  };
  const spawned = new Set<number>();
  for (;;) {
    const t = (performance.now() - started) / 1000;
    const target = vusAt(stages, t, scale);
    if (target < 0) break;
    for (let id = 0; id < target; id++) {
      if (spawned.has(id)) continue;
      spawned.add(id);
      void vu(id).then(() => spawned.delete(id));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  done = true;
  while (running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  return { tallies, elapsedSeconds: (performance.now() - started) / 1000 };
}

function p95(values: readonly number[]): number {
  return values.length === 0
    ? 0
    : quantile(
        [...values].sort((a, b) => a - b),
        0.95,
      );
}

function report(
  out: (line: string) => void,
  title: string,
  { tallies, elapsedSeconds }: ProfileRun,
  limits: Record<string, number>,
  maxErrorRate: number,
): boolean {
  let total = 0;
  let failed = 0;
  let pass = true;
  out(`\n${title} (${elapsedSeconds.toFixed(0)} s)`);
  out('endpoint   requests   req/s   errors    p95 ms   threshold');
  for (const [endpoint, entry] of tallies) {
    total += entry.durations.length;
    failed += entry.failed;
    const value = p95(entry.durations);
    const limit = limits[endpoint];
    const ok = limit === undefined || value < limit;
    pass &&= ok;
    out(
      `${endpoint.padEnd(10)} ${String(entry.durations.length).padStart(8)} ${(entry.durations.length / elapsedSeconds).toFixed(1).padStart(7)} ${((entry.failed / entry.durations.length) * 100).toFixed(2).padStart(7)} % ${value.toFixed(1).padStart(8)}   ${limit === undefined ? '' : `p95 < ${limit} ms: ${ok ? 'pass' : 'FAIL'}`}`,
    );
  }
  const errorRate = total === 0 ? 0 : failed / total;
  const errorsOk = errorRate < maxErrorRate;
  out(
    `http_req_failed ${(errorRate * 100).toFixed(2)} % (threshold < ${maxErrorRate * 100} %): ${errorsOk ? 'pass' : 'FAIL'}`,
  );
  return pass && errorsOk;
}

interface ReplayOptions {
  readonly standinUrl: string;
  readonly prismwatchUrl: string;
  /** Multiplies every stage's duration (1: the profile as written, 60 s). */
  readonly scale?: number;
  readonly out?: (line: string) => void;
}

/** Runs both scripts' smoke traffic; true when every threshold passes. */
export async function replaySmoke(options: ReplayOptions): Promise<boolean> {
  const scale = options.scale ?? 1;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const agent = new Agent({ connections: 64 });
  const get = async (
    url: string,
    endpoint: string,
    tally: (endpoint: string, ms: number, ok: boolean) => void,
  ) => {
    const started = performance.now();
    try {
      const response = await request(url, { dispatcher: agent });
      await response.body.dump();
      tally(endpoint, performance.now() - started, response.statusCode < 400);
    } catch {
      tally(endpoint, performance.now() - started, false);
    }
  };
  try {
    const prismai = await runProfile(
      PROFILES.smoke!,
      scale,
      async (tally) => {
        await get(`${options.standinUrl}/health`, 'health', tally);
        await get(`${options.standinUrl}/api/health`, 'api', tally);
        await get(`${options.standinUrl}/`, 'web', tally);
      },
      1_000,
    );
    const prismaiOk = report(
      out,
      'k6/prismai.ts, smoke',
      prismai,
      { health: 2_000, api: 2_000, web: 2_000 },
      0.05,
    );
    const prismwatch = await runProfile(
      PROFILES.smoke!,
      scale,
      async (tally) => {
        await get(`${options.prismwatchUrl}/metrics`, 'metrics', tally);
        await get(`${options.prismwatchUrl}/api/v1/probes`, 'api', tally);
        await get(`${options.prismwatchUrl}/api/v1/alerts`, 'api', tally);
        await get(`${options.prismwatchUrl}/`, 'status', tally);
      },
      0,
    );
    const prismwatchOk = report(
      out,
      'k6/prismwatch.ts, smoke (scrapes and readers, no pause)',
      prismwatch,
      { metrics: 500, api: 250, status: 250 },
      0.01,
    );
    return prismaiOk && prismwatchOk;
  } finally {
    await agent.close();
  }
}
