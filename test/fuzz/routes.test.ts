/**
 * Every route in the server's route table, fuzzed the same way: plain, oversized (declared and
 * streamed), truncated, slow, malformed JSON, the wrong content type and random bytes, each with
 * and without the token. The table comes from the running daemon, so a route added later is
 * fuzzed without an edit here; and every route must be reached (the daemon's own per-route
 * request counter says so), so a route the fuzz cannot reach fails the test.
 *
 * Nothing may crash the daemon, answer 500, or hang; a request whose body never arrives in full
 * may be closed without an answer (nobody is left to read one).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { examplePath, type Route, routeMethods } from '../../src/server/route-table.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { type Parts, statusOf, untilClosed } from '../helpers/raw-http.js';
import { FUZZ_SEED, runs } from './budget.js';

const TOKEN = 'route-fuzz-t0ken';
const PING_TOKEN = 'ping-t0ken-route-fuzz';
/** A request neither answered nor closed within this is a hang (the daemon's request deadline is 30 s). */
const HANG_MS = 40_000;

interface Case {
  readonly name: string;
  /** The bytes to send in order, with a pause (ms) before each part; then the socket is half-closed. */
  readonly parts: Parts;
  /** Whether the body never arrives in full: closing without an answer is then correct. */
  readonly incomplete?: boolean;
  /** How many answers must come back (pipelined requests); one when unset. */
  readonly answers?: number;
}

const exchange = (port: number, parts: Case['parts']) => untilClosed(port, parts, HANG_MS);

const head = (method: string, path: string, lines: readonly string[], connection = 'close') =>
  Buffer.from(
    `${[`${method} ${path} HTTP/1.1`, 'Host: prismwatch', `Connection: ${connection}`, ...lines].join('\r\n')}\r\n\r\n`,
  );

function cases(
  method: string,
  path: string,
  route: Route,
  auth: readonly string[],
  randoms: readonly Buffer[],
): Case[] {
  const json = ['Content-Type: application/json', ...auth];
  const body = (text: string | Buffer, lines = json) => {
    const bytes = Buffer.from(text);
    return {
      bytes: Buffer.concat([head(method, path, [...lines, `Content-Length: ${bytes.length}`]), bytes]),
    };
  };
  const limit = route.maxBodyBytes ?? 1024;
  const big = Buffer.alloc(Math.max(limit + 1, 256 * 1024), 0x61);
  const chunk = (bytes: Buffer) =>
    Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
  return [
    { name: 'plain', parts: [{ bytes: head(method, path, auth) }] },
    {
      name: 'pipelined',
      answers: 2,
      parts: [{ bytes: Buffer.concat([head(method, path, auth, 'keep-alive'), head(method, path, auth)]) }],
    },
    {
      name: 'json body',
      parts: [body('{"matchers":["probe=\\"x\\""],"duration":"1h","createdBy":"fuzz","text":"t"}')],
    },
    { name: 'malformed json', parts: [body('{"matchers": [')] },
    { name: 'wrong content type', parts: [body('<a/>', ['Content-Type: text/xml', ...auth])] },
    ...randoms.map((random) => ({
      name: 'random body',
      parts: [body(random, ['Content-Type: application/octet-stream', ...auth])],
    })),
    {
      name: 'oversized, declared',
      parts: [
        { bytes: head(method, path, [...json, `Content-Length: ${big.length}`]) },
        { bytes: big, pauseMs: 20 },
      ],
    },
    {
      name: 'oversized, streamed',
      parts: [
        { bytes: head(method, path, [...json, 'Transfer-Encoding: chunked']) },
        ...Array.from({ length: 8 }, () => ({ bytes: chunk(big.subarray(0, Math.ceil(big.length / 4))) })),
        { bytes: Buffer.from('0\r\n\r\n') },
      ],
    },
    {
      name: 'truncated',
      incomplete: true,
      parts: [
        {
          bytes: Buffer.concat([head(method, path, [...json, 'Content-Length: 500']), Buffer.from('{"a":')]),
        },
      ],
    },
    {
      name: 'slow, then gone',
      incomplete: true,
      parts: [
        { bytes: head(method, path, [...json, 'Content-Length: 40']) },
        ...Array.from({ length: 5 }, () => ({ bytes: Buffer.from('{'), pauseMs: 30 })),
      ],
    },
  ];
}

describe('every route in the table', () => {
  it('answers plain, oversized, truncated, slow, malformed and mistyped requests without a 500, a hang or a crash', async () => {
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:\n  - { name: backup, kind: heartbeat, period: 1h, grace: 1h, token: ${PING_TOKEN}, interval: 1h }\n` +
        '  - { name: remote, kind: http, url: "http://127.0.0.1:1/", interval: 1h }\n' +
        // The API token is also an agent's, so the agent routes' bodies reach their parser.
        `agents:\n  - { name: fuzz, token_sha256: "${createHash('sha256').update(TOKEN).digest('hex')}", probes: { names: [remote] } }\n`,
    );
    // A budget wide enough that the fuzz reaches every handler (the budget has its own test).
    const { daemon, scrape } = await startDaemon(dir.path, {
      logLevel: 'silent',
      apiToken: TOKEN,
      publicBudget: { ratePerSecond: 10_000, burst: 10_000, maxInFlight: 1_000 },
    });
    const port = Number(new URL(daemon.baseUrl).port);
    const routes = daemon.routes;
    expect(routes.length).toBeGreaterThan(10);
    const randomBodies = fc
      .sample(fc.uint8Array({ maxLength: 2_000 }), { seed: FUZZ_SEED, numRuns: runs(4) })
      .map((bytes) => Buffer.from(bytes));
    let count = 0;
    for (const route of routes) {
      const path = examplePath(route, route.path.startsWith('/ping/') ? PING_TOKEN : 'example');
      const variants = routeMethods(route).flatMap((method) =>
        [[], [`Authorization: Bearer ${TOKEN}`], ['Authorization: Bearer wrong']].map((auth) => ({
          method,
          auth,
        })),
      );
      // The variants of one route run side by side: the daemon answers each on its own.
      await Promise.all(
        variants.map(async ({ method, auth }) => {
          for (const test of cases(method, path, route, auth, randomBodies)) {
            const answer = await exchange(port, test.parts);
            count++;
            const status = statusOf(answer);
            const where = `${method} ${route.path} (${test.name}, ${auth[0] ?? 'no token'}): ${answer.slice(0, 200)}`;
            expect(status, where).not.toBe(500);
            if (!test.incomplete && method !== 'HEAD') expect(status, where).not.toBe(0);
            if (test.answers) expect(answer.match(/^HTTP\/1\.1 \d{3}/gm)?.length, where).toBe(test.answers);
          }
        }),
      );
      const healthy = await exchange(port, [{ bytes: head('GET', '/-/healthy', []) }]);
      expect(statusOf(healthy), `after ${route.path}`).toBe(200);
    }
    console.log(`route fuzz: ${count} cases over ${routes.length} routes (seed ${FUZZ_SEED})`);
    // Every route was reached: the server counted requests that it routed to it.
    const exposition = await scrape();
    for (const route of routes)
      expect(exposition, `${route.path} never reached`).toContain(
        `prismwatch_http_requests_total{route="${route.path}"`,
      );
  }, 300_000);
});
