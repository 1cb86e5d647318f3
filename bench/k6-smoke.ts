/**
 * The k6 smoke profile (k6/profiles.ts) where k6 is installed, and an equivalent with undici where
 * it is not, so the numbers exist either way. Starts the PrismAI stand-in and a prismwatch daemon
 * watching it on loopback, then runs both scripts' traffic: the stand-in's three endpoints (one
 * round per virtual user per second, like k6/prismai.ts) and concurrent readers of prismwatch's
 * /metrics, API and status page (k6/prismwatch.ts). Prints requests/s, error rate and p95 per
 * endpoint, and whether the k6 thresholds would pass. `SCALE=0.25` shortens the stages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { PROFILES, type Stage } from '../k6/profiles.js';
import { Daemon } from '../src/daemon.js';
import { startStandIn } from '../src/demo/standin.js';
import { createLogger } from '../src/log.js';

const SCALE = Number(process.env.SCALE ?? 1);

function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported stage duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1) * SCALE;
}

/** Target VUs at `t` seconds into the stages, ramping linearly within each (k6 ramping-vus). */
function vusAt(stages: readonly Stage[], t: number): number {
  let start = 0;
  let from = 0;
  for (const stage of stages) {
    const length = seconds(stage.duration);
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

async function runProfile(
  stages: readonly Stage[],
  round: (tally: (endpoint: string, ms: number, ok: boolean) => void) => Promise<void>,
  pauseMs: number,
): Promise<Map<string, Tally> & { elapsed?: number }> {
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
      if (id >= vusAt(stages, t)) break;
      await round(tally);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    running -= 1;
  };
  const spawned = new Set<number>();
  for (;;) {
    const t = (performance.now() - started) / 1000;
    const target = vusAt(stages, t);
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
  return Object.assign(tallies, { elapsed: (performance.now() - started) / 1000 });
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
}

function report(
  title: string,
  tallies: Map<string, Tally> & { elapsed?: number },
  limits: Record<string, number>,
  maxErrorRate: number,
): boolean {
  let total = 0;
  let failed = 0;
  let pass = true;
  console.log(`\n${title} (${tallies.elapsed?.toFixed(0)} s)`);
  console.log('endpoint   requests   req/s   errors    p95 ms   threshold');
  for (const [endpoint, entry] of tallies) {
    total += entry.durations.length;
    failed += entry.failed;
    const value = p95(entry.durations);
    const limit = limits[endpoint];
    const ok = limit === undefined || value < limit;
    pass &&= ok;
    console.log(
      `${endpoint.padEnd(10)} ${String(entry.durations.length).padStart(8)} ${(entry.durations.length / (tallies.elapsed ?? 1)).toFixed(1).padStart(7)} ${((entry.failed / entry.durations.length) * 100).toFixed(2).padStart(7)} % ${value.toFixed(1).padStart(8)}   ${limit === undefined ? '' : `p95 < ${limit} ms: ${ok ? 'pass' : 'FAIL'}`}`,
    );
  }
  const errorRate = total === 0 ? 0 : failed / total;
  const errorsOk = errorRate < maxErrorRate;
  console.log(
    `http_req_failed ${(errorRate * 100).toFixed(2)} % (threshold < ${maxErrorRate * 100} %): ${errorsOk ? 'pass' : 'FAIL'}`,
  );
  return pass && errorsOk;
}

async function main(): Promise<void> {
  const k6 = spawnSync('k6', ['version'], { encoding: 'utf8' });
  const standin = await startStandIn();
  const daemon = new Daemon({
    configPaths: ['demo/config'],
    host: '127.0.0.1',
    port: 0,
    log: createLogger({ level: 'error' }),
    dataDir: mkdtempSync(join(tmpdir(), 'prismwatch-k6-')),
    env: {
      ...process.env,
      PRISM_BASE_URL: standin.url,
      DEMO_SMTP: '127.0.0.1:1',
      DEMO_WEBHOOK: 'http://127.0.0.1:1',
    },
  });
  await daemon.start();
  let ok = true;
  try {
    if (k6.status === 0) {
      console.log(`k6 found (${k6.stdout.trim()}): running the scripts themselves`);
      for (const [script, env] of [
        ['k6/prismai.ts', `PRISM_BASE_URL=${standin.url}`],
        ['k6/prismwatch.ts', `PRISMWATCH_URL=${daemon.baseUrl}`],
      ] as const) {
        const run = spawnSync('k6', ['run', '-e', env, '-e', 'PROFILE=smoke', script], { stdio: 'inherit' });
        ok &&= run.status === 0;
      }
      return;
    }
    console.log('k6 not installed: replaying the smoke profile with undici (k6/profiles.ts)');
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
    const prismai = await runProfile(
      PROFILES.smoke!,
      async (tally) => {
        await get(`${standin.url}/health`, 'health', tally);
        await get(`${standin.url}/api/health`, 'api', tally);
        await get(`${standin.url}/`, 'web', tally);
      },
      1_000,
    );
    ok &&= report('k6/prismai.ts, smoke', prismai, { health: 2_000, api: 2_000, web: 2_000 }, 0.05);
    const prismwatch = await runProfile(
      PROFILES.smoke!,
      async (tally) => {
        await get(`${daemon.baseUrl}/metrics`, 'metrics', tally);
        await get(`${daemon.baseUrl}/api/v1/probes`, 'api', tally);
        await get(`${daemon.baseUrl}/api/v1/alerts`, 'api', tally);
        await get(`${daemon.baseUrl}/`, 'status', tally);
      },
      0,
    );
    ok &&= report(
      'k6/prismwatch.ts, smoke (scrapes and readers, no pause)',
      prismwatch,
      { metrics: 500, api: 250, status: 250 },
      0.01,
    );
    await agent.close();
  } finally {
    await daemon.stop();
    await standin.close();
  }
  console.log(ok ? '\nall thresholds pass' : '\nsome thresholds FAIL');
  process.exitCode = ok ? 0 : 1;
}

void main();
