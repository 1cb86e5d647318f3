/**
 * `npm run bench:compare`: prismwatch and Debian's prometheus-blackbox-exporter, side by side on
 * this machine, against the same loopback target (its own process), fresh connection per probe:
 *   paced      both at the same rate (default 1,000 probes/s): CPU per probe, from /proc by PID;
 *              and prismwatch with each --probes count on a 10 s interval (its RSS as deployed);
 *   saturation as many probes/s as each manages (blackbox driven with 64 requests in flight,
 *              prismwatch with --probes of them on a 1 s interval: 1,000, 10,000 and 30,000);
 *   keep_alive prismwatch's 10,000-probe saturation again with `keep_alive: true`.
 * prismwatch rows are repeated for each --workers count (`--probe-workers`; 1 is the main thread).
 * Probes are counted by the target, independent of either tool's own numbers. Each sample also
 * records the machine's other CPU use ("foreign": every core's busy time from /proc/stat, less the
 * tool's, the target's and this harness's), so a busy neighbour shows beside the figure it bent.
 * Ratios are taken within a run (prismwatch against the blackbox sample of the same run) and
 * then their median, not medians of samples from different runs. Installs nothing: without the
 * blackbox binary it measures prismwatch alone.
 *   npm run bench:compare -- --rate 1000 --seconds 15 --runs 3 --probes 1000,10000,30000 --workers 1,2
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort, spawnPrismwatch, waitHttp } from './lib.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const list = (name: string, fallback: number[]) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1]!.split(',').map(Number);
};
const RATE = option('rate', 1_000);
const SECONDS = option('seconds', 15);
const RUNS = option('runs', 3);
const PROBES = list('probes', [10_000]);
const WORKERS = list('workers', [1]);
/** `--keep-alive-only`: just the keep_alive saturation rows (a quick check of that mode). */
const KEEP_ALIVE_ONLY = args.includes('--keep-alive-only');
const NO_KEEP_ALIVE = args.includes('--no-keep-alive');
/**
 * Seconds between the daemon's readiness and the window: a whole 10 s interval, so the first
 * round of runs (spread over it) and the workers' start (loading, taking the specs) are behind.
 */
const WARMUP_S = option('warmup', 10);
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const TICKS = 100; // USER_HZ on Linux

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** utime + stime of a process and its threads, in ms (/proc/PID/stat fields 14 and 15). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Target {
  child: ChildProcess;
  ports: number[];
  served(): Promise<number>;
}

async function startTarget(): Promise<Target> {
  const child = fork(new URL('./target-server.mjs', import.meta.url), ['8'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const ports = await new Promise<number[]>((resolve) =>
    child.stdout!.once('data', (chunk) => resolve((JSON.parse(String(chunk)) as { ports: number[] }).ports)),
  );
  const served = () =>
    new Promise<number>((resolve) => {
      child.once('message', (reply) => resolve((reply as { served: number }).served));
      child.send('count');
    });
  return { child, ports, served };
}

interface Measure {
  probesPerSecond: number;
  cpuMsPerProbe: number;
  cpuCores: number;
  rssMb: number;
  /** Cores the rest of the machine kept busy meanwhile (not the tool, the target or this harness). */
  foreignCores: number;
}

/** Busy time of every core since boot, in ms (/proc/stat's first line, all but idle and iowait). */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const busy = fields
    .slice(0, 8)
    .reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return (busy * 1000) / TICKS;
}

const harnessMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Target-side count and /proc CPU of `pid` over the window, after a warm-up. */
async function measure(target: Target, pid: number): Promise<Measure> {
  await sleep(WARMUP_S * 1000);
  const served0 = await target.served();
  const cpu0 = cpuMs(pid);
  const others0 = machineBusyMs() - cpuMs(target.child.pid!) - harnessMs();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const served1 = await target.served();
  const cpu1 = cpuMs(pid);
  const others1 = machineBusyMs() - cpuMs(target.child.pid!) - harnessMs();
  const elapsedS = (performance.now() - t0) / 1000;
  const probes = served1 - served0;
  return {
    probesPerSecond: probes / elapsedS,
    cpuMsPerProbe: probes === 0 ? Number.NaN : (cpu1 - cpu0) / probes,
    cpuCores: (cpu1 - cpu0) / 1000 / elapsedS,
    rssMb: rssMb(pid),
    foreignCores: Math.max(0, (others1 - others0 - (cpu1 - cpu0)) / 1000 / elapsedS),
  };
}

/** Drives blackbox's /probe: `rate` per second (paced), or as fast as `inFlight` allows (rate 0). */
function driveBlackbox(base: string, target: Target, rate: number, inFlight: number): () => void {
  const agent = new Agent({ connections: inFlight, pipelining: 1 });
  let running = 0;
  let stopped = false;
  let next = 0;
  const one = async () => {
    running += 1;
    const port = target.ports[next++ % target.ports.length];
    try {
      const response = await request(`${base}/probe?module=http_2xx&target=http://127.0.0.1:${port}/`, {
        dispatcher: agent,
      });
      await response.body.dump();
    } catch {
      // counted (or not) by the target; the driver does not judge
    } finally {
      running -= 1;
    }
  };
  if (rate > 0) {
    const perTick = rate / 100;
    let owed = 0;
    const timer = setInterval(() => {
      owed += perTick;
      while (owed >= 1 && running < inFlight) {
        owed -= 1;
        void one();
      }
    }, 10);
    return () => {
      clearInterval(timer);
      void agent.close();
    };
  }
  const loop = async () => {
    while (!stopped) await one();
  };
  for (let i = 0; i < inFlight; i++) void loop();
  return () => {
    stopped = true;
    void agent.close();
  };
}

async function runBlackbox(target: Target, rate: number, inFlight: number): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-blackbox-'));
  writeFileSync(
    join(dir, 'blackbox.yml'),
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n',
  );
  const port = await freePort();
  const child = spawn(
    BLACKBOX,
    [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${port}`],
    {
      stdio: 'ignore',
    },
  );
  try {
    await waitHttp(`http://127.0.0.1:${port}/-/healthy`);
    const stop = driveBlackbox(`http://127.0.0.1:${port}`, target, rate, inFlight);
    const result = await measure(target, child.pid!);
    stop();
    return result;
  } finally {
    child.kill('SIGTERM');
  }
}

async function runPrismwatch(
  target: Target,
  probes: number,
  intervalS: number,
  workers: number,
  keepAlive = false,
): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prismwatch-'));
  const lines = ['probes:'];
  for (let i = 0; i < probes; i++)
    lines.push(
      `  - { name: p${i}, kind: http, url: "http://127.0.0.1:${target.ports[i % target.ports.length]}/${i}", interval: ${intervalS}s, timeout: ${Math.min(5, intervalS * 0.8)}s${keepAlive ? ', keep_alive: true' : ''} }`,
    );
  writeFileSync(join(dir, 'probes.yaml'), `${lines.join('\n')}\n`);
  const port = await freePort();
  const child = spawnPrismwatch(dir, port, { args: ['--probe-workers', String(workers)] });
  try {
    // Ready: config loaded, probes scheduled (and the workers holding them) before the warm-up.
    await waitHttp(`http://127.0.0.1:${port}/-/ready`);
    return await measure(target, child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const spread = (values: number[], digits: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const text = (value: number) => value.toFixed(digits);
  return sorted.length < 2
    ? text(sorted[0] ?? Number.NaN)
    : `${text(median(sorted))} [${text(sorted[0]!)}–${text(sorted.at(-1)!)}]`;
};

function row(name: string, results: Measure[]): string {
  const pick = (key: keyof Measure, digits: number) =>
    spread(
      results.map((result) => result[key]),
      digits,
    );
  return `| ${name} | ${pick('probesPerSecond', 0)} | ${pick('cpuMsPerProbe', 3)} | ${pick('cpuCores', 2)} | ${pick('rssMb', 0)} | ${pick('foreignCores', 2)} |`;
}

async function main(): Promise<void> {
  const hasBlackbox = (() => {
    try {
      readFileSync(BLACKBOX);
      return true;
    } catch {
      return false;
    }
  })();
  const target = await startTarget();
  const rows: Record<string, Measure[]> = {};
  /** Per run, each prismwatch row's ratio to the blackbox sample taken in the same run. */
  const ratios: Record<string, number[]> = {};
  const add = (name: string, result: Measure) => {
    rows[name] = [...(rows[name] ?? []), result];
    console.error(
      `${name}: ${result.probesPerSecond.toFixed(0)} probes/s, ${result.cpuMsPerProbe.toFixed(3)} ms CPU/probe, ${result.rssMb.toFixed(0)} MB, foreign ${result.foreignCores.toFixed(2)} cores`,
    );
    return result;
  };
  const ratio = (name: string, value: number) => {
    ratios[name] = [...(ratios[name] ?? []), value];
  };
  const w = (workers: number) => (workers === 1 ? '1 (main thread)' : String(workers));
  try {
    for (let run = 0; run < RUNS; run++) {
      if (!KEEP_ALIVE_ONLY) {
        const bbPaced = hasBlackbox
          ? add(`blackbox_exporter, paced ${RATE}/s`, await runBlackbox(target, RATE, 2_000))
          : undefined;
        // Paced: every --probes count on a 10 s interval (RSS as a deployment sees it), and the
        // RATE × 10 count against blackbox_exporter at the same rate.
        for (const probes of [...new Set([RATE * 10, ...PROBES])].sort((a, b) => a - b))
          for (const workers of WORKERS) {
            const pw = add(
              `prismwatch, ${probes} probes on a 10 s interval (${probes / 10}/s), workers ${w(workers)}`,
              await runPrismwatch(target, probes, 10, workers),
            );
            if (bbPaced && probes === RATE * 10)
              ratio(
                `paced CPU per probe at ${RATE}/s, workers ${w(workers)} (target <= 0.35)`,
                pw.cpuMsPerProbe / bbPaced.cpuMsPerProbe,
              );
          }
        const bbSaturated = hasBlackbox
          ? add('blackbox_exporter, saturation (64 in flight)', await runBlackbox(target, 0, 64))
          : undefined;
        for (const probes of PROBES)
          for (const workers of WORKERS) {
            const pw = add(
              `prismwatch, ${probes} probes on a 1 s interval, workers ${w(workers)}`,
              await runPrismwatch(target, probes, 1, workers),
            );
            if (bbSaturated && probes >= 10_000)
              ratio(
                `saturation probes/s, ${probes} probes, workers ${w(workers)} (target >= 2.5)`,
                pw.probesPerSecond / bbSaturated.probesPerSecond,
              );
          }
      }
      if (!NO_KEEP_ALIVE)
        for (const workers of WORKERS)
          add(
            `prismwatch, saturation with keep_alive (10,000 probes, 1 s interval), workers ${w(workers)}`,
            await runPrismwatch(target, 10_000, 1, workers, true),
          );
    }
  } finally {
    target.child.kill();
  }
  console.log(
    `\nmedians of ${RUNS} run(s) [range], ${SECONDS} s windows after ${WARMUP_S} s warm-up; probes counted by the target; CPU from /proc; foreign = the rest of the machine\n`,
  );
  console.log('| tool and load | probes/s | CPU ms per probe | CPU cores | RSS MB | foreign cores |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, results] of Object.entries(rows)) console.log(row(name, results));
  if (Object.keys(ratios).length > 0) {
    console.log('\nprismwatch / blackbox_exporter, taken within each run, then the median [range]:\n');
    for (const [name, values] of Object.entries(ratios)) console.log(`- ${name}: ${spread(values, 2)}`);
  }
}

void main();
