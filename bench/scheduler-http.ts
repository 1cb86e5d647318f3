/**
 * Benchmark: the whole daemon (config load, scheduler, HTTP prober, metrics) with N HTTP probes on
 * a 10 s interval against a loopback target in another process. Prints probes/s (counted by the
 * target too), scheduling lag p50/p99 over the measurement window (histogram_quantile over
 * prismwatch_scheduler_lag_seconds), CPU per 1,000 probes (all threads, process.cpuUsage),
 * event-loop delay, peak RSS, heap after GC, and /metrics render and scrape times (scraped from
 * another process, as Prometheus would).
 *
 *   npm run bench                       # 1,000 and 10,000 probes
 *   npm run bench -- 2000 --seconds 30  # other sizes and windows
 *   npm run bench -- 10000 --scrape-every 0   # without scrapes
 *   npm run bench -- 10000 --stall 1000       # 1,000 of them at a target that never answers
 * Not a test: it asserts nothing, it prints figures (recorded in docs/benchmarks.md).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Daemon } from '../src/daemon.js';
import { createLogger } from '../src/log.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const sizes = args.filter((arg, i) => /^\d+$/.test(arg) && !args[i - 1]?.startsWith('--')).map(Number);
const PROBE_COUNTS = sizes.length > 0 ? sizes : [1_000, 10_000];
const INTERVAL_S = option('interval', 10);
const MEASURE_S = option('seconds', 20);
const SCRAPE_EVERY_MS = option('scrape-every', 5) * 1000;
const NICE_SCRAPER = !args.includes('--no-nice');
/** `--stall N`: the first N probes target a server that accepts and never answers (issue 8). */
const STALLED = option('stall', 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function forkHelper(file: string, args: string[] = []): ChildProcess {
  return fork(new URL(file, import.meta.url), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

/** The scraper runs at the lowest CPU priority: on two cores it otherwise competes with the daemon. */
function spawnNiced(file: string): ChildProcess {
  return spawn('nice', ['-n', '19', process.execPath, fileURLToPath(new URL(file, import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as T));
    child.send(message as string);
  });
}

type Buckets = Array<[number, number]>;

/** Cumulative bucket counts of the scheduler lag histogram, read in-process. */
async function lagBuckets(daemon: Daemon): Promise<Buckets> {
  const metric = await daemon.selfMetrics.schedulerLag.get();
  return metric.values
    .filter((value) => value.metricName === 'prismwatch_scheduler_lag_seconds_bucket')
    .map((value) => [
      value.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(value.labels.le),
      value.value,
    ]);
}

/** histogram_quantile over the difference of two snapshots: the measurement window only. */
function windowQuantile(before: Buckets, after: Buckets, q: number): number {
  const buckets = after.map(([bound, count], i): [number, number] => [bound, count - (before[i]?.[1] ?? 0)]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return previousBound;
      return (
        previousBound +
        ((bound - previousBound) * (rank - previousCount)) / Math.max(1, count - previousCount)
      );
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function run(probeCount: number) {
  const target = forkHelper('./target-server.mjs', ['8']);
  const { ports } = await new Promise<{ ports: number[] }>((resolve) => {
    target.stdout!.once('data', (chunk) => resolve(JSON.parse(String(chunk))));
  });
  const scraper = NICE_SCRAPER ? spawnNiced('./scraper.mjs') : forkHelper('./scraper.mjs');
  // Accepts and never answers; it runs in this process, but costs only an accept per probe.
  const staller = createNetServer(() => {});
  await new Promise<void>((resolve) => staller.listen(0, '127.0.0.1', resolve));
  const stallPort = (staller.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-bench-'));
  const lines = ['defaults:', `  interval: ${INTERVAL_S}s`, '  timeout: 5s', 'probes:'];
  for (let i = 0; i < probeCount; i++) {
    lines.push(
      `  - name: p${i}`,
      '    kind: http',
      `    url: http://127.0.0.1:${i < STALLED ? stallPort : ports[i % ports.length]}/health/${i}`,
    );
  }
  writeFileSync(join(dir, 'bench.yaml'), `${lines.join('\n')}\n`);

  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      if (warnings.length < 5) warnings.push(String(chunk).trim().slice(0, 300));
      callback();
    },
  });
  const startedLoading = performance.now();
  const daemon = new Daemon({
    configPaths: [dir],
    host: '127.0.0.1',
    port: 0,
    log: createLogger({ level: 'warn', destination: sink }),
  });
  await daemon.start();
  const startMs = performance.now() - startedLoading;

  await sleep(INTERVAL_S * 1000); // one interval of warm-up: every probe ran once, the JIT settled

  const lagBefore = await lagBuckets(daemon);
  const totalsBefore = daemon.probeTotals();
  const servedBefore = (await ask<{ served: number }>(target, 'count')).served;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  const renderMs: number[] = [];
  const scrapeMs: number[] = [];
  let scrapeBytes = 0;
  const scrapeTimer = setInterval(() => {
    if (SCRAPE_EVERY_MS === 0) return;
    void ask<{ ms: number; bytes: number; error?: string }>(scraper, `${daemon.baseUrl}/metrics`).then(
      async ({ ms, bytes, error }) => {
        if (error) warnings.push(`scrape failed: ${error}`);
        scrapeMs.push(ms);
        scrapeBytes = bytes;
        renderMs.push(((await daemon.selfMetrics.metricsRenderSeconds.get()).values[0]?.value ?? 0) * 1000);
      },
    );
  }, SCRAPE_EVERY_MS || 60_000);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(MEASURE_S * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const wallS = (performance.now() - wallBefore) / 1000;
  clearInterval(scrapeTimer);
  clearInterval(rssTimer);
  loop.disable();
  const lagAfter = await lagBuckets(daemon);
  const totalsAfter = daemon.probeTotals();
  const servedAfter = (await ask<{ served: number }>(target, 'count')).served;
  global.gc?.();
  const memory = process.memoryUsage();

  const runs = totalsAfter.runs - totalsBefore.runs;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const figures = {
    probes: probeCount,
    stalled: STALLED,
    interval_s: INTERVAL_S,
    measured_s: round(wallS),
    start_ms: Math.round(startMs),
    probes_per_s: round(runs / wallS),
    target_served_per_s: round((servedAfter - servedBefore) / wallS),
    failed_runs: totalsAfter.failures - totalsBefore.failures,
    skipped_runs: totalsAfter.skipped - totalsBefore.skipped,
    lag_p50_ms: round(windowQuantile(lagBefore, lagAfter, 0.5) * 1000, 2),
    lag_p99_ms: round(windowQuantile(lagBefore, lagAfter, 0.99) * 1000, 2),
    cpu_ms_per_probe: round((cpuS / runs) * 1000, 3),
    cpu_cores_used: round(cpuS / wallS, 3),
    event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 2),
    peak_rss_mb: Math.round(peakRss / 1_048_576),
    heap_after_gc_mb: Math.round(memory.heapUsed / 1_048_576),
    external_after_gc_mb: Math.round((memory.external + memory.arrayBuffers) / 1_048_576),
    render_ms_median: round(median(renderMs)),
    render_ms_max: round(Math.max(...renderMs)),
    scrape_ms_median: round(median(scrapeMs)),
    scrape_ms_max: round(Math.max(...scrapeMs)),
    scrape_mb: round(scrapeBytes / 1e6),
    scrapes: scrapeMs.length,
  };
  await daemon.stop();
  staller.close();
  target.kill();
  scraper.kill();
  rmSync(dir, { recursive: true, force: true });
  return { figures, warnings };
}

const rows = [];
for (const count of PROBE_COUNTS) {
  const { figures, warnings } = await run(count);
  rows.push(figures);
  console.log(JSON.stringify(figures));
  for (const warning of warnings) console.error(`  warning: ${warning}`);
  global.gc?.();
}
console.log(
  '\n| probes | probes/s | lag p50 | lag p99 | CPU ms/probe | cores | loop p99 | peak RSS | heap after GC | render median (max) | scrape median (max) | scrape MB | skipped | failed |',
);
console.log(
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const f of rows) {
  console.log(
    `| ${f.probes} | ${f.probes_per_s} | ${f.lag_p50_ms} ms | ${f.lag_p99_ms} ms | ${f.cpu_ms_per_probe} | ${f.cpu_cores_used} | ${f.event_loop_delay_p99_ms} ms | ${f.peak_rss_mb} MB | ${f.heap_after_gc_mb} MB | ${f.render_ms_median} (${f.render_ms_max}) ms | ${f.scrape_ms_median} (${f.scrape_ms_max}) ms | ${f.scrape_mb} | ${f.skipped_runs} | ${f.failed_runs} |`,
  );
}
process.exit(0);
