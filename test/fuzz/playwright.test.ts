/**
 * What a Playwright run hands back is written by code prismwatch did not write: its JSON report,
 * the page timeline the vitals fixture attaches, the files it names, and whatever it sends the
 * proxy. Random and mutated input at each: parsed or refused, never thrown, never followed out of
 * the run's folder, and the proxy keeps answering.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { webVitals } from '../../src/probers/browser/vitals.js';
import { readRunFile } from '../../src/probers/playwright/artifacts.js';
import {
  type AllowlistProxy,
  hostAllowed,
  parseAuthority,
  startAllowlistProxy,
} from '../../src/probers/playwright/proxy.js';
import { MAX_TESTS, parseReport } from '../../src/probers/playwright/report.js';
import { timelineFrom } from '../../src/probers/playwright/timeline.js';
import { withHttpServer } from '../helpers/servers.js';
import { fuzz, runs } from './budget.js';

/** A report shaped like Playwright's, with describe blocks, steps, errors and attachments. */
const step: fc.Memo<unknown> = fc.memo((depth) =>
  fc.record({
    title: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('After Hooks')),
    error: fc.option(fc.record({ message: fc.string({ maxLength: 50 }) }), { nil: undefined }),
    steps: depth > 1 ? fc.array(step(depth - 1), { maxLength: 3 }) : fc.constant([]),
  }),
);
const result = fc.record({
  status: fc.constantFrom('passed', 'failed', 'timedOut', 'skipped', 'interrupted', 'weird'),
  duration: fc.oneof(fc.nat(), fc.double(), fc.constant(-1)),
  error: fc.option(
    fc.record({
      message: fc.string({ maxLength: 200 }),
      location: fc.record({ file: fc.string({ maxLength: 40 }), line: fc.nat(), column: fc.nat() }),
    }),
    { nil: undefined },
  ),
  steps: fc.array(step(3), { maxLength: 3 }),
  attachments: fc.array(
    fc.record({
      name: fc.constantFrom('screenshot', 'trace', 'prismwatch-vitals', 'other'),
      path: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      body: fc.option(
        fc.oneof(
          fc.base64String({ maxLength: 80 }),
          fc.json().map((text) => Buffer.from(text).toString('base64')),
        ),
        { nil: undefined },
      ),
    }),
    { maxLength: 4 },
  ),
});
const spec = fc.record({
  title: fc.string({ maxLength: 40 }),
  file: fc.string({ maxLength: 40 }),
  line: fc.oneof(fc.nat(), fc.constant(Number.NaN)),
  tests: fc.array(
    fc.record({ status: fc.string({ maxLength: 10 }), results: fc.array(result, { maxLength: 2 }) }),
    {
      maxLength: 2,
    },
  ),
});
const suite: fc.Memo<unknown> = fc.memo((depth) =>
  fc.record({
    title: fc.string({ maxLength: 20 }),
    specs: fc.array(spec, { maxLength: 4 }),
    suites: depth > 1 ? fc.array(suite(depth - 1), { maxLength: 3 }) : fc.constant([]),
  }),
);
const report = fc.record({
  suites: fc.array(suite(4), { maxLength: 4 }),
  errors: fc.array(fc.record({ message: fc.string({ maxLength: 100 }) }), { maxLength: 3 }),
});

/** Replaces one value somewhere in a JSON tree with something of another type. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [key, inner] = entries[path[0]! % entries.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  (copy as Record<string, unknown>)[key] = mutate(inner, path.slice(1), replacement);
  return copy;
}

describe('playwright run output under random input', () => {
  it('the JSON report: parsed or refused, never thrown, texts bounded, tests bounded', async () => {
    await fuzz(
      'playwright report',
      fc.property(
        report,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.oneof(fc.anything(), fc.constant(null), fc.string()),
        (raw, path, replacement) => {
          for (const input of [raw, mutate(raw, path, replacement)]) {
            const parsed = parseReport(input, '/specs');
            if (!parsed) continue;
            expect(parsed.tests.length).toBeLessThanOrEqual(MAX_TESTS);
            for (const test of parsed.tests) {
              expect(test.title.length).toBeLessThan(10_000);
              expect(test.error?.length ?? 0).toBeLessThanOrEqual(401);
              expect(['passed', 'failed', 'timedOut', 'skipped', 'interrupted']).toContain(test.status);
              const timeline = timelineFrom(test.timeline);
              if (timeline) expect(() => webVitals(timeline)).not.toThrow();
            }
          }
        },
      ),
      runs(300),
    );
    expect(parseReport('not json', '/x')).toBeUndefined();
    expect(parseReport({ suites: 'x' }, '/x')).toBeUndefined();
  });

  it('a page timeline of any shape: a checked timeline with finite values, or none', async () => {
    await fuzz(
      'playwright timeline',
      fc.property(fc.anything({ maxDepth: 3 }), (raw) => {
        const timeline = timelineFrom(raw);
        if (!timeline) return;
        const vitals = webVitals(timeline);
        for (const value of Object.values(vitals))
          if (value !== undefined) expect(Number.isFinite(value)).toBe(true);
      }),
      runs(500),
    );
  });

  it('host patterns and CONNECT authorities: answered, never thrown', async () => {
    await fuzz(
      'playwright hosts',
      fc.property(
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }),
        fc.string({ maxLength: 60 }),
        (allowed, host) => {
          hostAllowed(allowed, host);
          const authority = parseAuthority(host);
          if (authority) expect(authority.port).toBeGreaterThan(0);
        },
      ),
      runs(500),
    );
    expect(hostAllowed(['*.example.com'], 'shop.example.com')).toBe(true);
    expect(hostAllowed(['*.example.com'], 'example.com.evil.test')).toBe(false);
    expect(hostAllowed(['::1'], '[::1]')).toBe(true);
    expect(parseAuthority('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseAuthority('shop.example.com:0')).toBeUndefined();
  });

  it('files a report names: only regular files inside the run’s output, no link out, no FIFO', () => {
    const run = mkdtempSync(join(tmpdir(), 'prismwatch-run-'));
    onTestFinished(() => rmSync(run, { recursive: true, force: true }));
    const out = join(run, 'out');
    mkdirSync(join(out, 'test-1'), { recursive: true });
    writeFileSync(join(out, 'test-1', 'shot.png'), 'png');
    writeFileSync(join(run, 'secret.txt'), 'secret');
    symlinkSync(join(run, 'secret.txt'), join(out, 'test-1', 'link.png'));
    symlinkSync(run, join(out, 'up'));
    execFileSync('mkfifo', [join(out, 'test-1', 'pipe.png')]);
    const read = (inner: string) => readRunFile(inner, '/run/prismwatch/out', out)?.toString();
    expect(read('/run/prismwatch/out/test-1/shot.png')).toBe('png');
    expect(read('/run/prismwatch/out/test-1/link.png')).toBeUndefined();
    expect(read('/run/prismwatch/out/up/secret.txt')).toBeUndefined();
    expect(read('/run/prismwatch/out/../secret.txt')).toBeUndefined();
    expect(read('/run/prismwatch/secret.txt')).toBeUndefined();
    expect(read('/run/prismwatch/out/test-1/pipe.png')).toBeUndefined();
    expect(read('/run/prismwatch/out')).toBeUndefined();
  });
});

/** An allowlisting proxy for 127.0.0.1 on a Unix socket of its own, closed after the test. */
async function proxyAllowing127(): Promise<{ socket: string; proxy: AllowlistProxy }> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-proxy-'));
  const socket = join(dir, 'proxy.sock');
  const proxy = await startAllowlistProxy(socket, ['127.0.0.1']);
  onTestFinished(async () => {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { socket, proxy };
}

describe('the allowlisting proxy under random bytes', () => {
  it('answers or closes each connection, and still forwards an allowed request after', async () => {
    const site = await withHttpServer((_req, res) => res.end('through'));
    const { socket, proxy } = await proxyAllowing127();
    const send = (bytes: Uint8Array) =>
      new Promise<void>((resolve) => {
        const client = connect(socket);
        const timer = setTimeout(() => client.destroy(), 2_000);
        client.on('error', () => {});
        client.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        client.on('data', () => {});
        client.end(bytes);
      });
    const requestLine = fc.oneof(
      fc.constantFrom(
        'GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
        'CONNECT localhost:443 HTTP/1.1\r\n\r\n',
        'CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n',
        'CONNECT [::1 HTTP/1.1\r\n\r\n',
        'GET / HTTP/1.1\r\n\r\n',
        'GET http://evil.test/ HTTP/1.1\r\n\r\n',
        'GET ftp://127.0.0.1/ HTTP/1.1\r\n\r\n',
      ),
      fc.string({ maxLength: 200 }),
    );
    await fuzz(
      'playwright proxy',
      fc.asyncProperty(requestLine, fc.uint8Array({ maxLength: 200 }), async (line, tail) => {
        await send(Buffer.concat([Buffer.from(line), Buffer.from(tail)]));
      }),
      runs(150),
    );
    const ask = (url: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { socketPath: socket, path: url, headers: { host: new URL(url).host } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await ask(`${site.url}/`)).toEqual({ status: 200, body: 'through' });
    const refused = await ask('http://evil.test/');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("evil.test is not in this probe's allowed_hosts");
    expect(proxy.refused).toContain('evil.test');
  });
});

describe('the allowlisting proxy and clients that leave', () => {
  it('survives clients gone before their refusal is written, and still refuses the next', async () => {
    const { socket } = await proxyAllowing127();
    // A page closed mid-request: the CONNECT arrives, the client is already gone, and the 403 (or
    // 400, or the 501 to a plain upgrade) meets a closed socket: EPIPE, which once ended the process.
    const lines = [
      'CONNECT elsewhere.example:443 HTTP/1.1\r\n\r\n',
      'CONNECT nonsense HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    ];
    for (let i = 0; i < 200; i++) {
      const client = connect(socket);
      client.on('error', () => {});
      client.write(lines[i % lines.length]!, () => client.destroy());
    }
    const answer = await new Promise<string>((resolve) => {
      const client = connect(socket);
      let text = '';
      client.on('error', () => {});
      client.on('data', (chunk) => {
        text += String(chunk);
      });
      client.on('close', () => resolve(text));
      client.write('CONNECT elsewhere.example:443 HTTP/1.1\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
  });
});
