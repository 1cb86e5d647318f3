/**
 * The control path under saturation: prismwatch with many probes (enough to saturate its loop)
 * and CPU hogs beside it on the same cores, scraped every second by another process (as
 * Prometheus would) while /-/healthy is asked every second too. Prints the scrape and health
 * wall times (median, p99, max) and what the scheduler shed or skipped.
 *
 *   npm run bench:control-path -- [probes=10000] [interval=2] [seconds=60] [hogs=2]
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnPrismwatch, waitHttp } from './lib.js';

const [probes = 10_000, intervalS = 2, seconds = 60, hogs = 2] = process.argv.slice(2).map(Number);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

async function startTarget(): Promise<{ ports: number[]; child: ChildProcess }> {
  const child = fork(new URL('./target-server.mjs', import.meta.url), ['8'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const line = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (chunk) => resolve(String(chunk))),
  );
  return { ports: (JSON.parse(line.split('\n')[0]!) as { ports: number[] }).ports, child };
}

/** Asks `url` every second (the next right away when one took longer) until `until`; wall times in ms. */
async function askEverySecond(
  url: string,
  until: number,
): Promise<{ times: number[]; failures: number; body: string }> {
  const scraper = fork(new URL('./scraper.mjs', import.meta.url));
  const times: number[] = [];
  let failures = 0;
  try {
    while (Date.now() < until) {
      const started = Date.now();
      const answer = await new Promise<{ ms: number; error?: string }>((resolve) => {
        scraper.once('message', (message) => resolve(message as { ms: number; error?: string }));
        scraper.send(url);
      });
      if (answer.error || !Number.isFinite(answer.ms)) {
        failures += 1;
        if (failures === 1) console.log(`${url}: ${answer.error} after ${(Date.now() - started) / 1000} s`);
      } else times.push(answer.ms);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (Date.now() - started))));
    }
  } finally {
    scraper.kill();
  }
  const last = await fetch(url).then(
    (response) => response.text(),
    () => '',
  );
  return { times, failures, body: last };
}

function summary(name: string, times: number[], failures: number): string {
  return `${name}: ${times.length} answered, ${failures} failed; median ${quantile(times, 0.5).toFixed(0)} ms, p99 ${quantile(times, 0.99).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms, over 2 s: ${times.filter((ms) => ms > 2_000).length}; slowest ${[
    ...times,
  ]
    .sort((a, b) => b - a)
    .slice(0, 5)
    .map((ms, i) => `${ms.toFixed(0)}${i === 0 ? ` (#${times.indexOf(ms) + 1})` : ''}`)
    .join(', ')}`;
}

async function main(): Promise<void> {
  const target = await startTarget();
  const dir = mkdtempSync(join(tmpdir(), 'bench-control-'));
  const lines = ['probes:'];
  for (let i = 0; i < probes; i++)
    lines.push(
      `  - { name: p${i}, kind: http, url: "http://127.0.0.1:${target.ports[i % target.ports.length]}/${i}", interval: ${Math.round(intervalS * 1000)}ms, timeout: ${Math.round(Math.min(5, intervalS * 0.8) * 1000)}ms }`,
    );
  writeFileSync(join(dir, 'probes.yaml'), `${lines.join('\n')}\n`);
  const port = await freePort();
  const daemon = spawnPrismwatch(dir, port);
  const hogProcesses: ChildProcess[] = [];
  try {
    await waitHttp(`http://127.0.0.1:${port}/-/ready`);
    for (let i = 0; i < hogs; i++)
      hogProcesses.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    // One interval with the hogs running before measuring.
    await new Promise((resolve) => setTimeout(resolve, intervalS * 1_000));
    const until = Date.now() + seconds * 1_000;
    const [scrapes, health] = await Promise.all([
      askEverySecond(`http://127.0.0.1:${port}/metrics`, until),
      askEverySecond(`http://127.0.0.1:${port}/-/healthy`, until),
    ]);
    console.log(
      `control path: ${probes} probes every ${intervalS}s, ${hogs} CPU hog(s), ${seconds}s, node ${process.version}`,
    );
    console.log(summary('/metrics', scrapes.times, scrapes.failures));
    console.log(summary('/-/healthy', health.times, health.failures));
    const totals = new Map<string, number>();
    for (const line of scrapes.body.split('\n')) {
      const skipped = /^prismwatch_probe_skipped_total\{.*reason="(\w+)"\} (\S+)$/.exec(line);
      if (skipped)
        totals.set(`skipped ${skipped[1]}`, (totals.get(`skipped ${skipped[1]}`) ?? 0) + Number(skipped[2]));
      const runs = /^prismwatch_probe_runs_total\{.*\} (\S+)$/.exec(line);
      if (runs) totals.set('runs', (totals.get('runs') ?? 0) + Number(runs[1]));
    }
    console.log([...totals].map(([name, value]) => `${name} ${value}`).join(', '));
  } finally {
    for (const hog of hogProcesses) hog.kill('SIGKILL');
    daemon.kill('SIGTERM');
    target.child.kill();
  }
}

await main();
