/**
 * Random and mutated requests at the running daemon's server: methods, targets, headers and
 * bodies, well-framed and not. No request may crash it, hang it, or make a handler fail (500);
 * after every batch it still answers /-/healthy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { statusOf, untilClosed } from '../helpers/raw-http.js';
import { fuzz, runs } from './budget.js';

const TOKEN = 'fuzz-t0ken';
/** A request the server neither answers nor closes within this is a hang. */
const HANG_MS = 15_000;

const exchange = (port: number, bytes: Buffer) => untilClosed(port, bytes, HANG_MS);

const token = fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/);
const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), token);
const pathPart = fc.oneof(
  fc.constantFrom(
    'api',
    'v1',
    'probes',
    'results',
    'silences',
    'silence',
    'maintenance',
    'announcements',
    'incidents',
    '?limit=-1',
    '?limit=99999999999999999999',
    '?probe=',
    'alerts',
    '-',
    'healthy',
    'ready',
    'reload',
    'metrics',
    'status.css',
    '',
    '%',
    '%zz',
    '%E0%A4%A',
    '%ff',
    '..',
    '%2F',
    '?since=',
    '?since=%zz',
    '#',
  ),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);
const target = fc.oneof(
  fc.array(pathPart, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.constantFrom('//', '*', 'http://%zz/', 'http://prismwatch/-/healthy', 'example.com:443', ''),
  fc.string({ maxLength: 30 }),
);
const headerLine = fc.oneof(
  fc
    .tuple(token, fc.string({ maxLength: 40 }))
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, ' ')}`),
  fc.constantFrom(
    `Authorization: Bearer ${TOKEN}`,
    'Authorization: Bearer wrong',
    'Content-Type: application/json',
  ),
);
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        matchers: fc.array(
          fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('probe=~"(.*.*)*X"', 'a="b"', 'x!~"("')),
          {
            maxLength: 3,
          },
        ),
        duration: fc.constantFrom('1h', '0s', '-5m', '99999999999999999999w', 'soon'),
        createdBy: fc.string({ maxLength: 10 }),
        // Maintenance windows and announcements take these as well.
        mute: fc.oneof(fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), fc.json({ maxDepth: 1 })),
        countsInUptime: fc.oneof(fc.boolean(), fc.json({ maxDepth: 1 })),
        text: fc.string({ maxLength: 600 }),
        severity: fc.constantFrom('info', 'warning', 'critical', 'page', ''),
        expiresAt: fc.constantFrom('2999-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 'tomorrow'),
      },
      { requiredKeys: ['matchers', 'duration', 'createdBy'] },
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 100 }),
);

const framed = fc
  .tuple(method, target, fc.array(headerLine, { maxLength: 5 }), fc.option(jsonBody))
  .map(([verb, path, lines, body]) => {
    const payload = Buffer.from(body ?? '');
    const head = [`${verb} ${path} HTTP/1.1`, 'Host: prismwatch', 'Connection: close', ...lines];
    if (body !== null) head.push(`Content-Length: ${payload.length}`);
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  });

const wellFormedRequest = fc.constant(
  Buffer.from('GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
);
const garbage = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc
    .tuple(wellFormedRequest, fc.nat(80), fc.uint8Array({ minLength: 1, maxLength: 4 }))
    .map(([bytes, at, noise]) =>
      Buffer.concat([bytes.subarray(0, at), Buffer.from(noise), bytes.subarray(at)]),
    ),
);

describe('the server under random requests', () => {
  it('answers every request without a 500, a hang or a crash', async () => {
    const dir = configDir();
    dir.write('probes.yaml', 'probes: []\n');
    const { daemon } = await startDaemon(dir.path, { logLevel: 'silent', apiToken: TOKEN });
    const port = Number(new URL(daemon.baseUrl).port);
    const healthy = async () =>
      statusOf(
        await exchange(port, Buffer.from('GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')),
      );

    await fuzz(
      'server, framed requests',
      fc.asyncProperty(framed, async (request) => {
        const status = statusOf(await exchange(port, request));
        expect(status === 0 || (status >= 200 && status < 600), `status ${status}`).toBe(true);
        expect(status, request.toString('latin1').slice(0, 200)).not.toBe(500);
      }),
      runs(600),
    );
    expect(await healthy()).toBe(200);
    await fuzz(
      'server, garbage and mutated bytes',
      fc.asyncProperty(garbage, async (bytes) => {
        const status = statusOf(await exchange(port, bytes));
        expect(status).not.toBe(500);
      }),
      runs(300),
    );
    expect(await healthy()).toBe(200);
  }, 240_000);
});
