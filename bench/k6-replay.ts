/**
 * The k6 scripts' traffic replayed with undici, for machines without a k6 binary: the stand-in's
 * endpoints, one round per virtual user per second (k6/prismai.ts), and concurrent readers of
 * prismwatch's /metrics, API and status page (k6/prismwatch.ts), with the same ramping stages and
 * per-endpoint thresholds, read from k6/plan.ts. Used by `npm run bench:k6-smoke` and CI tests.
 */
import { Agent, request } from 'undici';
import { type Endpoint, PRISMAI_ENDPOINTS, PRISMWATCH_ENDPOINTS, PROFILES, type Stage } from '../k6/plan.js';
import { quantile } from '../src/rules/signals.js';

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

/** One endpoint's figures and whether it held both its thresholds, as k6 would judge them. */
export interface EndpointVerdict {
  readonly endpoint: string;
  readonly requests: number;
  readonly errorRate: number;
  readonly p95Ms: number;
  readonly pass: boolean;
}

function judge(
  out: (line: string) => void,
  title: string,
  { tallies, elapsedSeconds }: ProfileRun,
  endpoints: readonly Endpoint[],
): EndpointVerdict[] {
  out(`\n${title} (${elapsedSeconds.toFixed(0)} s)`);
  out('endpoint   requests   req/s   errors    p95 ms   thresholds');
  return endpoints.map((endpoint) => {
    const entry = tallies.get(endpoint.name) ?? { durations: [], failed: 0 };
    const requests = entry.durations.length;
    const errorRate = requests === 0 ? 0 : entry.failed / requests;
    const value = p95(entry.durations);
    const errorsOk = errorRate < endpoint.maxErrorRate;
    const latencyOk = value < endpoint.p95Ms;
    out(
      `${endpoint.name.padEnd(10)} ${String(requests).padStart(8)} ${(requests / elapsedSeconds).toFixed(1).padStart(7)} ${(errorRate * 100).toFixed(2).padStart(7)} % ${value.toFixed(1).padStart(8)}   errors < ${endpoint.maxErrorRate * 100} %: ${errorsOk ? 'pass' : 'FAIL'}, p95 < ${endpoint.p95Ms} ms: ${latencyOk ? 'pass' : 'FAIL'}`,
    );
    return { endpoint: endpoint.name, requests, errorRate, p95Ms: value, pass: errorsOk && latencyOk };
  });
}

/** One script's traffic: its endpoints in order each round, a pause after each round. */
interface Script {
  readonly title: string;
  readonly baseUrl: string;
  readonly endpoints: readonly Endpoint[];
  readonly pauseMs: number;
}

/**
 * Replays one script's plan against `script.baseUrl` with k6's ramping stages (scaled) and judges
 * each endpoint by its own thresholds, as k6 would.
 */
export async function replayScript(
  script: Script,
  options: { scale?: number; stages?: readonly Stage[]; out?: (line: string) => void } = {},
): Promise<EndpointVerdict[]> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const agent = new Agent({ connections: 64 });
  const get = async (endpoint: Endpoint, tally: (endpoint: string, ms: number, ok: boolean) => void) => {
    const started = performance.now();
    try {
      const response = await request(`${script.baseUrl}${endpoint.path}`, { dispatcher: agent });
      await response.body.dump();
      tally(endpoint.name, performance.now() - started, response.statusCode < 400);
    } catch {
      tally(endpoint.name, performance.now() - started, false);
    }
  };
  try {
    const run = await runProfile(
      options.stages ?? PROFILES.smoke!,
      options.scale ?? 1,
      async (tally) => {
        for (const endpoint of script.endpoints) await get(endpoint, tally);
      },
      script.pauseMs,
    );
    return judge(out, script.title, run, script.endpoints);
  } finally {
    await agent.close();
  }
}

interface ReplayOptions {
  readonly standinUrl: string;
  readonly prismwatchUrl: string;
  /** Multiplies every stage's duration (1: the profile as written, 60 s). */
  readonly scale?: number;
  readonly out?: (line: string) => void;
}

/** Runs both scripts' smoke traffic; true when every endpoint holds its thresholds. */
export async function replaySmoke(options: ReplayOptions): Promise<boolean> {
  const prismai = await replayScript(
    {
      title: 'k6/prismai.ts, smoke',
      baseUrl: options.standinUrl,
      endpoints: PRISMAI_ENDPOINTS,
      pauseMs: 1_000,
    },
    options,
  );
  const prismwatch = await replayScript(
    {
      title: 'k6/prismwatch.ts, smoke (scrapes and readers, no pause)',
      baseUrl: options.prismwatchUrl,
      endpoints: PRISMWATCH_ENDPOINTS,
      pauseMs: 0,
    },
    options,
  );
  return [...prismai, ...prismwatch].every((verdict) => verdict.pass);
}
