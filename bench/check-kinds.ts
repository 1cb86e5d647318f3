/**
 * Issue 19's figures: what a multi_http flow and a browser check cost. Prints Markdown tables for
 * docs/benchmarks.md. Loopback only: an items API and a web page served by this process.
 *
 * npm run bench:kinds
 *   multi_http: a 4-step flow (log in, create, read, delete) against 4 single http probes of the
 *   same requests, sequential and 20 at a time: wall time per run and prismwatch's CPU per run.
 *   browser: 30 loads of a page with a late image, one page at a time and two at a time: wall
 *   time, CPU of prismwatch and of Chromium's process tree per check, the tree's RSS.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { probeSchemaFor } from '../src/config/schema.js';
import type { ProbeSpec } from '../src/model/probe.js';
import { browserPool, cpuOfTree, memoryOfTree } from '../src/probers/browser/pool.js';
import { proberFor, shutdownProbers } from '../src/probers/index.js';
import { runProbe } from '../src/probers/run-probe.js';

const log = pino({ level: 'silent' });

function spec(raw: Record<string, unknown>): ProbeSpec {
  const parsed = probeSchemaFor(String(raw.kind))!.parse({ name: 'bench', timeout: '20s', ...raw }) as Record<
    string,
    unknown
  >;
  const { name, kind, timeout, ...rest } = parsed as Record<string, unknown> & { timeout: number };
  return {
    name: String(name),
    kind: String(kind),
    timeoutMs: timeout,
    labels: {},
    settings: proberFor(String(kind))!.toSettings(rest),
    source: { file: 'bench', line: 1 },
  };
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The items API of test/helpers/items-api.ts, without the test harness. */
async function itemsApi(): Promise<string> {
  const items = new Map<string, string>();
  // Every login issues the same token, so single probes can send it and the server does the same
  // work for both: the difference between the rows is prismwatch's, not the API's.
  const token = 'bench-token-0123456789';
  let next = 1;
  return serve((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const path = req.url ?? '/';
      if (req.method === 'POST' && path === '/api/login') {
        return json(200, { token });
      }
      if (req.headers.authorization !== `Bearer ${token}`) return json(401, { error: 'no' });
      if (req.method === 'POST' && path === '/api/items') {
        const id = String(next++);
        items.set(id, body);
        return json(201, { id });
      }
      const id = path.split('/').at(-1)!;
      if (req.method === 'GET') return json(items.has(id) ? 200 : 404, { id, name: 'canary' });
      if (req.method === 'DELETE')
        return items.delete(id) ? res.writeHead(204).end() : res.writeHead(404).end();
      json(404, {});
    });
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `count` probe runs, `parallel` at a time: wall times and this process's CPU per run. */
async function measure(specs: readonly ProbeSpec[], count: number, parallel: number) {
  const walls: number[] = [];
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const t = performance.now();
        for (const one of specs) {
          const result = await runProbe(one, { log });
          if (!result.ok) failures += 1;
        }
        walls.push(performance.now() - t);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    p50: quantile(walls, 0.5),
    p95: quantile(walls, 0.95),
    cpuMs: (cpu.user + cpu.system) / 1000 / count,
    perSecond: count / ((performance.now() - started) / 1000),
    failures,
  };
}

async function multiHttp(): Promise<void> {
  const base = await itemsApi();
  const headers = { 'content-type': 'application/json' };
  const flow = spec({
    kind: 'multi_http',
    base_url: base,
    headers,
    steps: [
      {
        name: 'login',
        method: 'POST',
        url: '/api/login',
        body: '{"user":"b"}',
        extract: { token: { json: '$.token' } },
      },
      {
        name: 'create',
        method: 'POST',
        url: '/api/items',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        body: '{"name":"canary"}',
        valid_status_codes: [201],
        extract: { id: { json: '$.id' } },
      },
      {
        name: 'read',
        url: '/api/items/${steps.create.id}',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        expect: { json: [{ path: '$.name', equals: 'canary' }] },
      },
      {
        name: 'delete',
        method: 'DELETE',
        url: '/api/items/${steps.create.id}',
        headers: { authorization: 'Bearer ${steps.login.token}' },
        valid_status_codes: [204],
      },
    ],
  });
  // The same four requests as single http probes; the API answers 401 without a token, so they
  // accept any status: what is measured is the requests, not the flow's logic.
  const singles = [
    spec({
      kind: 'http',
      method: 'POST',
      url: `${base}/api/login`,
      headers,
      body: '{"user":"b"}',
      valid_status_codes: ['2xx', '4xx'],
    }),
    spec({
      kind: 'http',
      method: 'POST',
      url: `${base}/api/items`,
      headers,
      body: '{"name":"canary"}',
      valid_status_codes: ['2xx', '4xx'],
    }),
    spec({
      kind: 'http',
      url: `${base}/api/items/1`,
      valid_status_codes: ['2xx', '4xx'],
      expect: { contains: ['{'] },
    }),
    spec({ kind: 'http', method: 'DELETE', url: `${base}/api/items/1`, valid_status_codes: ['2xx', '4xx'] }),
  ];
  await measure([flow], 50, 1); // warm-up
  console.log('| runs | at once | what | wall p50 | wall p95 | prismwatch CPU per run | runs/s | failed |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [count, parallel] of [
    [500, 1],
    [2_000, 20],
  ] as const) {
    for (const [what, specs] of [
      ['multi_http flow, 4 steps', [flow]],
      ['4 single http probes', singles],
    ] as const) {
      const m = await measure(specs, count, parallel);
      console.log(
        `| ${count} | ${parallel} | ${what} | ${m.p50.toFixed(2)} ms | ${m.p95.toFixed(2)} ms | ${m.cpuMs.toFixed(3)} ms | ${m.perSecond.toFixed(0)} | ${m.failures} |`,
      );
    }
  }
}

async function browser(): Promise<void> {
  const hero = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><!-- ${randomBytes(3_000).toString('base64')} --><rect width="600" height="400" fill="#7b5"/></svg>`;
  const page = `<!doctype html><html><head><title>bench</title></head><body><h1>PrismAI</h1><img src="/hero.svg" width="600" height="400" alt=""><script>console.error('boom')</script></body></html>`;
  const base = await serve((req, res) => {
    if (req.url === '/hero.svg') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(hero), 200);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  const check = spec({ kind: 'browser', url: `${base}/` });
  const launchStart = performance.now();
  const first = await runProbe(check, { log });
  const launchMs = performance.now() - launchStart;
  const pid = await browserPool.pid();
  console.log(
    `First check, launching Chromium: ${launchMs.toFixed(0)} ms (ok: ${first.ok}); Chromium tree memory (PSS) after it: ${(memoryOfTree(pid) / 1_048_576).toFixed(0)} MiB`,
  );
  console.log('');
  console.log(
    '| checks | pages at once | wall p50 | wall p95 | prismwatch CPU per check | Chromium CPU per check | Chromium PSS after | failed |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const parallel of [1, 2]) {
    const count = 30;
    const chromeCpuBefore = cpuOfTree(pid);
    // Memory is read after the batch, not sampled during it: a /proc walk costs this process
    // about 10 ms and would be counted as the check's CPU.
    const m = await measure([check], count, parallel);
    const chromeCpuMs = ((cpuOfTree(pid) - chromeCpuBefore) * 1000) / count;
    console.log(
      `| ${count} | ${parallel} | ${m.p50.toFixed(0)} ms | ${m.p95.toFixed(0)} ms | ${m.cpuMs.toFixed(1)} ms | ${chromeCpuMs.toFixed(0)} ms | ${(memoryOfTree(pid) / 1_048_576).toFixed(0)} MiB | ${m.failures} |`,
    );
  }
  console.log(`\nChromium launches during the run: ${browserPool.launches}`);
}

// PRISMWATCH_BENCH_ONLY=multi_http or =browser runs one part (e.g. under --cpu-prof).
const only = process.env.PRISMWATCH_BENCH_ONLY;
if (only !== 'browser') await multiHttp();
if (only === undefined) console.log('');
if (only !== 'multi_http') await browser();
await shutdownProbers();
