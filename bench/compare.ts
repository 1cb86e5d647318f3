/**
 * `npm run bench:compare`: prismwatch and Debian's prometheus-blackbox-exporter, side by side on
 * this machine, against the same loopback target (its own process), fresh connection per probe:
 *   paced      both at the same rate (default 1,000 probes/s): CPU per probe, from /proc by PID;
 *   saturation as many probes/s as each manages (blackbox driven with 64 requests in flight,
 *              prismwatch with its 10,000 probes on a 1 s interval);
 *   keep_alive prismwatch's saturation again with `keep_alive: true` (blackbox has no such mode).
 * Probes are counted by the target, independent of either tool's own numbers. Installs nothing:
 * without the blackbox binary it measures prismwatch alone. Medians over --runs (default 3).
 *   npm run bench:compare -- --rate 1000 --seconds 15 --runs 3
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
const RATE = option('rate', 1_000);
const SECONDS = option('seconds', 15);
const RUNS = option('runs', 3);
/** `--keep-alive-only`: just the keep_alive saturation row (a quick check of that mode). */
const KEEP_ALIVE_ONLY = args.includes('--keep-alive-only');
const WARMUP_S = 4;
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
}

/** Target-side count and /proc CPU of `pid` over the window, after a warm-up. */
async function measure(target: Target, pid: number): Promise<Measure> {
  await sleep(WARMUP_S * 1000);
  const served0 = await target.served();
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const served1 = await target.served();
  const cpu1 = cpuMs(pid);
  const elapsedS = (performance.now() - t0) / 1000;
  const probes = served1 - served0;
  return {
    probesPerSecond: probes / elapsedS,
    cpuMsPerProbe: probes === 0 ? Number.NaN : (cpu1 - cpu0) / probes,
    cpuCores: (cpu1 - cpu0) / 1000 / elapsedS,
    rssMb: rssMb(pid),
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
  const child = spawnPrismwatch(dir, port);
  try {
    await waitHttp(`http://127.0.0.1:${port}/-/ready`);
    return await measure(target, child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function row(name: string, results: Measure[]): string {
  const pick = (key: keyof Measure) => median(results.map((result) => result[key]));
  return `| ${name} | ${pick('probesPerSecond').toFixed(0)} | ${pick('cpuMsPerProbe').toFixed(3)} | ${pick('cpuCores').toFixed(2)} | ${pick('rssMb').toFixed(0)} |`;
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
  const add = (name: string, result: Measure) => {
    rows[name] = [...(rows[name] ?? []), result];
    console.error(
      `${name}: ${result.probesPerSecond.toFixed(0)} probes/s, ${result.cpuMsPerProbe.toFixed(3)} ms CPU/probe`,
    );
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      const probes = RATE * 10;
      // blackbox_exporter has no keep-alive: every /probe builds a new client.
      const keepAliveRow = async () =>
        add(
          'prismwatch, saturation with keep_alive (10,000 probes, 1 s interval)',
          await runPrismwatch(target, 10_000, 1, true),
        );
      if (KEEP_ALIVE_ONLY) {
        await keepAliveRow();
        continue;
      }
      add(
        `prismwatch, paced ${RATE}/s (${probes} probes, 10 s interval)`,
        await runPrismwatch(target, probes, 10),
      );
      if (hasBlackbox) add(`blackbox_exporter, paced ${RATE}/s`, await runBlackbox(target, RATE, 2_000));
      add('prismwatch, saturation (10,000 probes, 1 s interval)', await runPrismwatch(target, 10_000, 1));
      if (hasBlackbox) add('blackbox_exporter, saturation (64 in flight)', await runBlackbox(target, 0, 64));
      await keepAliveRow();
    }
  } finally {
    target.child.kill();
  }
  console.log(
    `\nmedians of ${RUNS} run(s), ${SECONDS} s windows after ${WARMUP_S} s warm-up; probes counted by the target; CPU from /proc\n`,
  );
  console.log('| tool and load | probes/s | CPU ms per probe | CPU cores | RSS MB |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, results] of Object.entries(rows)) console.log(row(name, results));
  const cpu = (prefix: string) =>
    median(
      (Object.entries(rows).find(([name]) => name.startsWith(prefix))?.[1] ?? []).map((m) => m.cpuMsPerProbe),
    );
  const rate = (prefix: string) =>
    median(
      (Object.entries(rows).find(([name]) => name.startsWith(prefix))?.[1] ?? []).map(
        (m) => m.probesPerSecond,
      ),
    );
  console.log(
    `\nkeep_alive saturation: ${rate('prismwatch, saturation with keep_alive').toFixed(0)} probes/s (target >= 8,000; the 10,000 probes ask for at most 10,000/s)`,
  );
  if (hasBlackbox) {
    console.log(
      `\npaced CPU per probe, prismwatch / blackbox: ${(cpu('prismwatch, paced') / cpu('blackbox_exporter, paced')).toFixed(2)} (target <= 0.5)`,
    );
    console.log(
      `saturation probes/s, prismwatch / blackbox: ${(rate('prismwatch, saturation') / rate('blackbox_exporter, saturation')).toFixed(2)} (target >= 2)`,
    );
  }
}

void main();
