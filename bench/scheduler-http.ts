/**
 * Benchmark: the whole daemon (config load, scheduler, HTTP prober, metrics) with N HTTP probes
 * on a 10 s interval against a loopback target in another process. Prints achieved probes/s,
 * scheduling lag p50/p99 (read off prismwatch_scheduler_lag_seconds, as histogram_quantile would),
 * CPU per 1,000 probes, event-loop delay, peak RSS and /metrics render time.
 *
 *   npm run bench                      # 1,000 and 10,000 probes
 *   npm run bench -- 2000 --seconds 30
 * Not a test: it asserts nothing, it prints figures (recorded in docs/benchmarks.md).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Daemon } from '../src/daemon.js';
import { createLogger } from '../src/log.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const counts = args.filter((arg, i) => /^\d+$/.test(arg) && !args[i - 1]?.startsWith('--')).map(Number);
const PROBE_COUNTS = counts.length > 0 ? counts : [1_000, 10_000];
const INTERVAL_S = flag('interval', 10);
const MEASURE_S = flag('seconds', 20);

async function startTarget(): Promise<{
  child: ChildProcess;
  ports: number[];
  served: () => Promise<number>;
}> {
  const child = fork(new URL('./target-server.mjs', import.meta.url), ['8'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const ports = await new Promise<number[]>((resolve) => {
    child.stdout!.once('data', (chunk) => resolve((JSON.parse(String(chunk)) as { ports: number[] }).ports));
  });
  const served = () =>
    new Promise<number>((resolve) => {
      child.once('message', (message) => resolve((message as { served: number }).served));
      child.send('count');
    });
  return { child, ports, served };
}

function quantileFromBuckets(text: string, name: string, q: number): number {
  const buckets: Array<[number, number]> = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (match)
      buckets.push([match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2])]);
  }
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

function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function run(probeCount: number) {
  const target = await startTarget();
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-bench-'));
  const lines = ['defaults:', `  interval: ${INTERVAL_S}s`, '  timeout: 5s', 'probes:'];
  for (let i = 0; i < probeCount; i++) {
    const port = target.ports[i % target.ports.length];
    lines.push(`  - name: p${i}`, '    kind: http', `    url: http://127.0.0.1:${port}/health/${i}`);
  }
  writeFileSync(join(dir, 'bench.yaml'), `${lines.join('\n')}\n`);

  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      if (warnings.length < 5) warnings.push(String(chunk).trim());
      callback();
    },
  });
  const loadStart = performance.now();
  const daemon = new Daemon({
    configPaths: [dir],
    host: '127.0.0.1',
    port: 0,
    log: createLogger({ level: 'warn', destination: sink }),
  });
  await daemon.start();
  const startMs = performance.now() - loadStart;
  const scrape = async () => {
    const t = performance.now();
    const body = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    return { body, ms: performance.now() - t };
  };

  // Warm up for one interval so every probe has run once and JIT settled.
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 1000));
  const before = await scrape();
  const servedBefore = await target.served();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const renderTimes: number[] = [];
  let bodyBytes = 0;
  const scrapeTimer = setInterval(() => {
    void scrape().then(({ body, ms }) => {
      renderTimes.push(ms);
      bodyBytes = body.length;
    });
  }, 5_000);
  await new Promise((resolve) => setTimeout(resolve, MEASURE_S * 1000));
  clearInterval(scrapeTimer);
  const cpu = process.cpuUsage(cpuBefore);
  const wallS = (performance.now() - wallBefore) / 1000;
  clearInterval(rssTimer);
  loop.disable();
  const after = await scrape();
  const servedAfter = await target.served();

  const runs =
    counterSum(after.body, 'prismwatch_probe_runs_total') -
    counterSum(before.body, 'prismwatch_probe_runs_total');
  const failed = after.body
    .split('\n')
    .filter((line) => line.startsWith('prismwatch_probe_runs_total{') && line.includes('result="failure"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  const skipped = counterSum(after.body, 'prismwatch_probe_skipped_total');
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const figures = {
    probes: probeCount,
    interval_s: INTERVAL_S,
    measured_s: Number(wallS.toFixed(1)),
    start_ms: Math.round(startMs),
    probes_per_s: Number((runs / wallS).toFixed(1)),
    target_served_per_s: Number(((servedAfter - servedBefore) / wallS).toFixed(1)),
    failed_runs_total: failed,
    skipped_total: skipped,
    lag_p50_ms: Number(
      (quantileFromBuckets(after.body, 'prismwatch_scheduler_lag_seconds', 0.5) * 1000).toFixed(2),
    ),
    lag_p99_ms: Number(
      (quantileFromBuckets(after.body, 'prismwatch_scheduler_lag_seconds', 0.99) * 1000).toFixed(2),
    ),
    cpu_s_per_1000_probes: Number(((cpuS / runs) * 1000).toFixed(3)),
    cpu_cores_used: Number((cpuS / wallS).toFixed(3)),
    event_loop_delay_p99_ms: Number((loop.percentile(99) / 1e6).toFixed(2)),
    peak_rss_mb: Math.round(peakRss / 1_048_576),
    metrics_render_ms_median: Number(median(renderTimes).toFixed(1)),
    metrics_render_ms_max: Number(Math.max(...renderTimes).toFixed(1)),
    metrics_bytes: bodyBytes,
  };
  await daemon.stop();
  target.child.kill();
  rmSync(dir, { recursive: true, force: true });
  return { figures, warnings };
}

const rows = [];
for (const count of PROBE_COUNTS) {
  const { figures, warnings } = await run(count);
  rows.push(figures);
  console.log(JSON.stringify(figures));
  for (const warning of warnings) console.error(`  warning: ${warning.slice(0, 300)}`);
  global.gc?.();
}
console.log(
  '\n| probes | probes/s | lag p50 | lag p99 | CPU s / 1000 probes | cores | loop p99 | peak RSS | /metrics median (max) | skipped | failed |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const f of rows) {
  console.log(
    `| ${f.probes} | ${f.probes_per_s} | ${f.lag_p50_ms} ms | ${f.lag_p99_ms} ms | ${f.cpu_s_per_1000_probes} | ${f.cpu_cores_used} | ${f.event_loop_delay_p99_ms} ms | ${f.peak_rss_mb} MB | ${f.metrics_render_ms_median} (${f.metrics_render_ms_max}) ms | ${f.skipped_total} | ${f.failed_runs_total} |`,
  );
}
process.exit(0);
