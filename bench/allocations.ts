/**
 * `npm run bench:allocations`: heap bytes allocated per HTTP probe run, against node:http's own
 * floor. A run allocates its request, socket, streams, timers and promises; what lives across two
 * scavenges is promoted and becomes old-space garbage that only a full GC frees, so bytes per run
 * drive both the daemon's CPU (scavenges) and its RSS (issue 35, docs/benchmarks.md).
 *
 * Runs one at a time against a loopback target (its own process), in a child with a young
 * generation large enough that no GC happens while it counts: heapUsed after N runs minus before,
 * divided by N, is then what the runs allocated, whatever the machine's load. Figures are
 * deterministic to within a few bytes, so a change to the HTTP path shows here before a profile.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import { loadConfigText } from '../src/config/load.js';
import { runProbe } from '../src/probers/run-probe.js';

const RUNS = Number(process.env.RUNS ?? 2000);
const WARM_UP = 1000;

/** One request as bare node:http makes it (createConnection, a deadline timer and an AbortSignal). */
function bareRequest(port: number): Promise<void> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/bare',
      method: 'GET',
      setHost: false,
      headers: { host: `127.0.0.1:${port}`, 'user-agent': 'bench' },
      signal: controller.signal,
      createConnection: (
        _: unknown,
        done: (error: Error | null, socket?: ReturnType<typeof connect>) => void,
      ) => {
        const socket = connect({ host: '127.0.0.1', port, noDelay: true });
        socket.once('connect', () => done(null, socket));
        socket.once('error', done);
        return undefined;
      },
    } as unknown as RequestOptions);
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    req.end();
  });
}

async function bytesPerRun(one: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await one(i);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < RUNS; i++) await one(i);
  return (process.memoryUsage().heapUsed - before) / RUNS;
}

async function measure(port: number): Promise<void> {
  const log = pino({ level: 'silent' });
  const yaml = `probes:\n${Array.from(
    { length: 100 },
    (_, i) =>
      `  - { name: p${i}, kind: http, url: "http://127.0.0.1:${port}/${i}", interval: 10s, timeout: 5s }`,
  ).join('\n')}\n`;
  const specs = loadConfigText('bench.yaml', yaml).probes;
  const bare = await bytesPerRun(() => bareRequest(port));
  const probe = await bytesPerRun((i) => runProbe(specs[i % specs.length]!, { log }));
  process.send?.({ bare, probe }, () => process.exit(0));
}

async function main(): Promise<void> {
  const target: ChildProcess = fork(new URL('./target-server.mjs', import.meta.url), ['1'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const [port] = await new Promise<number[]>((resolve) =>
      target.stdout!.once('data', (chunk) =>
        resolve((JSON.parse(String(chunk)) as { ports: number[] }).ports),
      ),
    );
    // A 256 MB semi-space: RUNS × ~40 KB stays inside it, so nothing is collected while counting.
    const child = fork(new URL(import.meta.url), ['--child'], {
      execArgv: ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256'],
      env: { ...process.env, BENCH_PORT: String(port) },
    });
    const figures = await new Promise<{ bare: number; probe: number }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { bare: number; probe: number }));
      child.once('exit', (code) => reject(new Error(`measuring child exited with ${code}`)));
    });
    console.log(`HTTP run, heap bytes allocated per run (${RUNS} runs one at a time, loopback):`);
    console.log(`  node:http alone (createConnection, timer, AbortSignal): ${figures.bare.toFixed(0)}`);
    console.log(`  prismwatch runProbe, kind http:                         ${figures.probe.toFixed(0)}`);
    console.log(
      `  prismwatch's own share:                                 ${(figures.probe - figures.bare).toFixed(0)}`,
    );
  } finally {
    target.kill();
  }
}

if (process.argv.includes('--child')) await measure(Number(process.env.BENCH_PORT));
else await main();
