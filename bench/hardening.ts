/**
 * Issue 13's figures: what linear-time regexes cost against V8's backtracking engine on probe-
 * sized bodies, and how long the event loop stalls while a 50,000-probe config reloads, in place
 * and on the loader worker. Prints a Markdown table for docs/benchmarks.md.
 *
 * npm run bench:hardening (after a build; it writes its config under the OS temp dir)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { loadConfigOffThread } from '../src/config/load-off-thread.js';
import { LinearRegExp } from '../src/util/linear-regex.js';

function timeMs(fn: () => void, repeat: number): number {
  const start = performance.now();
  for (let i = 0; i < repeat; i++) fn();
  return (performance.now() - start) / repeat;
}

function regexTable(): void {
  const json = (size: number) => {
    const items = Array.from({ length: Math.ceil(size / 60) }, (_, i) => `{"id":${i},"name":"item-${i}"}`);
    return `{"status":"ok","version":"1.2.3","items":[${items.join(',')}]}`.slice(0, size);
  };
  const patterns = ['"status":\\s*"ok"', '"version":"\\d+\\.', 'error|exception', '^\\{.*\\}$'];
  console.log('| pattern | body | V8 RegExp | RE2 (re2js) | ratio |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const size of [1_024, 100 * 1_024, 10 * 1_024 * 1_024]) {
    const body = json(size);
    const repeat = size > 1_000_000 ? 5 : size > 10_000 ? 50 : 2_000;
    for (const source of patterns) {
      const v8 = new RegExp(source, 's');
      const re2 = new LinearRegExp(`(?s)${source}`);
      const v8Ms = timeMs(() => v8.test(body), repeat);
      const re2Ms = timeMs(() => re2.test(body), repeat);
      console.log(
        `| \`${source}\` | ${size >= 1_048_576 ? `${size / 1_048_576} MiB` : `${size / 1_024} KiB`} | ${v8Ms.toFixed(3)} ms | ${re2Ms.toFixed(3)} ms | ${(re2Ms / v8Ms).toFixed(1)} × |`,
      );
    }
  }
  const hostile = `${'a'.repeat(30)}!`;
  const start = performance.now();
  new LinearRegExp('(a+)+$').test(hostile);
  console.log(
    `\n\`(a+)+$\` on 30 a's and "!": RE2 ${(performance.now() - start).toFixed(2)} ms (V8: 48 s, issue 13)`,
  );
  const compile = timeMs(() => new LinearRegExp('^(?:crit.*|warn)$'), 10_000);
  console.log(`compiling a matcher: ${(compile * 1_000).toFixed(1)} µs`);
}

async function reloadLag(probes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-bench-reload-'));
  const lines = ['probes:'];
  for (let i = 0; i < probes; i++) {
    lines.push(
      `  - { name: p${i}, kind: http, url: "http://127.0.0.1:9/${i}", interval: 30s, labels: { team: web } }`,
    );
  }
  writeFileSync(join(dir, 'probes.yaml'), `${lines.join('\n')}\n`);
  console.log(`\n| ${probes.toLocaleString('en')} probes | wall | longest stall | stall p99 |`);
  console.log('| --- | --- | --- | --- |');
  for (const mode of ['in place', 'worker'] as const) {
    const gaps: number[] = [];
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last - 5);
      last = now;
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = performance.now();
    if (mode === 'worker') await loadConfigOffThread([dir], {});
    else loadConfig([dir], {});
    const wall = performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(tick);
    gaps.sort((a, b) => a - b);
    const p99 = gaps[Math.floor(gaps.length * 0.99)] ?? 0;
    console.log(
      `| ${mode} | ${(wall / 1000).toFixed(1)} s | ${Math.max(...gaps).toFixed(0)} ms | ${p99.toFixed(1)} ms |`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

regexTable();
await reloadLag(Number(process.argv[2] ?? 50_000));
