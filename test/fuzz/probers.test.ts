/**
 * Hostile responses and random redirect chains at the http prober, through real sockets: whatever
 * comes back, the run ends with a catalogue failure (never `internal`, never a throw), and no
 * credential ever reaches an origin other than the configured one.
 */
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_CODES } from '../../src/probers/index.js';
import { probe } from '../helpers/probe.js';
import { withTcpServer } from '../helpers/servers.js';
import { fuzz, runs } from './budget.js';

const statusLine = fc.oneof(
  fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.1 204 No Content', 'HTTP/1.0 200 OK', 'HTTP/1.1 500 Oops'),
  fc.integer({ min: 0, max: 1_000 }).map((code) => `HTTP/1.1 ${code} X`),
  fc.string({ maxLength: 30 }),
);
const header = fc.oneof(
  fc.constantFrom(
    'Content-Type: application/json',
    'Content-Type: text/html',
    'Transfer-Encoding: chunked',
    'Content-Encoding: gzip',
    'Content-Encoding: br',
    'Content-Encoding: deflate',
    'Content-Length: 5',
    'Content-Length: -1',
    'Content-Length: 99999999999999999999',
    'Content-Length: abc',
    'Set-Cookie: a=b; Secure',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z-]{1,10}$/), fc.string({ maxLength: 40 }))
    .map(([n, v]) => `${n}: ${v}`),
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((text) => Buffer.from(text)),
  fc.json().map((text) => gzipSync(text)),
  fc.constant(Buffer.from('5\r\nhello\r\n0\r\n\r\n')),
  fc.constant(Buffer.from('zz\r\nnot-hex\r\n')),
);
const response = fc
  .tuple(statusLine, fc.array(header, { maxLength: 6 }), body, fc.boolean())
  .map(([line, headers, payload, cut]) => {
    const bytes = Buffer.concat([
      Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'),
      payload,
    ]);
    return cut ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  });

/** One raw server answering every connection with what the current case says. */
async function scriptedServer() {
  let next: (request: string) => Buffer = () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const requests: string[] = [];
  const server = await withTcpServer((socket: Socket) => {
    let received = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!received.includes('\r\n\r\n')) return;
      requests.push(received);
      socket.end(next(received));
    });
  });
  return { ...server, requests, answer: (script: (request: string) => Buffer) => (next = script) };
}

const SECRET_HEADERS = {
  authorization: 'Bearer fuzz-secret',
  cookie: 'session=fuzz-secret',
  'x-api-key': 'fuzz-secret',
};

describe('the http prober under hostile targets', () => {
  it('turns any response into a catalogue failure or a success', async () => {
    const target = await scriptedServer();
    await fuzz(
      'hostile responses',
      fc.asyncProperty(response, fc.boolean(), async (bytes, assertions) => {
        target.answer(() => bytes);
        const result = await probe({
          kind: 'http',
          url: `${target.url}/`,
          timeout: '2s',
          ...(assertions
            ? { expect: { regex: ['(a+)+$'], json: [{ path: '$.a[0].b', exists: true }] } }
            : {}),
        });
        if (result.failure) {
          expect(FAILURE_CODES).toContain(result.failure.code);
          expect(result.failure.code, result.failure.message).not.toBe('internal');
        }
      }),
      runs(250),
    );
  }, 240_000);

  it('follows random redirect chains safely: credentials stay with their origin', async () => {
    const origin = await scriptedServer();
    const other = await scriptedServer();
    const location = fc.oneof(
      fc.nat(6).map((hop) => `/hop/${hop}`),
      fc.nat(6).map((hop) => `${origin.url}/hop/${hop}`),
      fc.nat(6).map((hop) => `${other.url}/hop/${hop}`),
      fc.constantFrom(
        'file:///etc/passwd',
        'ftp://127.0.0.1/',
        'data:,x',
        'about:blank',
        '//',
        'http://%zz/',
        '',
      ),
      fc.string({ maxLength: 20 }),
    );
    const hop = fc.record({ status: fc.constantFrom(200, 301, 302, 303, 307, 308), location });
    await fuzz(
      'redirect chains',
      fc.asyncProperty(
        fc.array(hop, { minLength: 7, maxLength: 7 }),
        fc.constantFrom('GET', 'POST'),
        async (hops, method) => {
          const script = (request: string) => {
            const index = Number(/^\S+ \/hop\/(\d+)/.exec(request)?.[1] ?? 0);
            const step = hops[index % hops.length]!;
            const head =
              step.status === 200
                ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
                : `HTTP/1.1 ${step.status} R\r\nLocation: ${step.location.replace(/[\r\n]/g, '')}\r\nContent-Length: 0\r\n\r\n`;
            return Buffer.from(head, 'latin1');
          };
          origin.answer(script);
          other.answer(script);
          other.requests.length = 0;
          const result = await probe({
            kind: 'http',
            url: `${origin.url}/hop/0`,
            method,
            ...(method === 'POST' ? { body: 'x' } : {}),
            headers: SECRET_HEADERS,
            max_redirects: 5,
            timeout: '2s',
          });
          if (result.failure) expect(result.failure.code, result.failure.message).not.toBe('internal');
          for (const request of other.requests) expect(request).not.toContain('fuzz-secret');
        },
      ),
      runs(250),
    );
  }, 240_000);
});
