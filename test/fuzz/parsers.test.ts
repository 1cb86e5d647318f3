/** Every parser that reads what a target, a config or a client wrote: random and mutated text never makes one throw. */

import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/config/utf8.js';
import { parseMatcher } from '../../src/model/matchers.js';
import { intervalContains, timeIntervalSchema, toTimeInterval } from '../../src/muting/time-intervals.js';
import { parseBootstrap, parseDomainRecord, serverFor } from '../../src/probers/domain/rdap.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../../src/probers/grpc/health-proto.js';
import { parseCronSchedule } from '../../src/probers/heartbeat/cron-next.js';
import { HeartbeatInbox } from '../../src/probers/heartbeat/inbox.js';
import { heartbeatProber } from '../../src/probers/heartbeat/index.js';
import { parseLoadavg, parseMeminfo } from '../../src/probers/host/proc.js';
import { parseJsonPath } from '../../src/probers/http-client/json-path.js';
import { CookieJar } from '../../src/probers/multi_http/cookies.js';
import { fill, referencesIn, scrub } from '../../src/probers/multi_http/template.js';
import { parseHostPort } from '../../src/probers/net/config.js';
import { parseRateLimitHeaders } from '../../src/probers/rate_limit/headers.js';
import { analyzeScan } from '../../src/probers/security_headers/analyze.js';
import { parseSetCookie } from '../../src/probers/security_headers/cookies.js';
import { parseCsp } from '../../src/probers/security_headers/csp.js';
import { readHtml } from '../../src/probers/security_headers/html.js';
import { parseRequestTarget } from '../../src/server/request-target.js';
import { parseDuration } from '../../src/util/duration.js';
import { LinearRegExp } from '../../src/util/linear-regex.js';
import { parseSize } from '../../src/util/size.js';
import { fuzz, runs } from './budget.js';

/** Text biased towards the characters these grammars care about. */
const grammarText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ';',
      ',',
      '=',
      '"',
      "'",
      ' ',
      ':',
      '/',
      '%',
      '\\',
      '<',
      '>',
      '*',
      '$',
      '.',
      '[',
      ']',
      '-',
      '\n',
    ),
    fc.constantFrom('a', 'Z', '0', '9', 'é', '\u0000', '\uffff', '\ud800'),
    fc.string({ maxLength: 1 }),
  ),
  maxLength: 200,
});

const headerName = fc.constantFrom(
  'content-security-policy',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'set-cookie',
  'access-control-allow-origin',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'x-ratelimit-remaining',
  'x-ratelimit-limit',
  'content-type',
  'location',
);
const headers = fc.dictionary(headerName, fc.oneof(grammarText, fc.array(grammarText, { maxLength: 3 })));

describe('parsers under random input', () => {
  it('the UTF-8 scan stops at the first byte where valid UTF-8 ends', async () => {
    await fuzz(
      'utf-8 positions',
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        (noise, text) => {
          const bytes = Buffer.concat([Buffer.from(text), noise]);
          const at = firstInvalidUtf8(bytes);
          expect(at === -1).toBe(isUtf8(bytes));
          if (at !== -1) expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        },
      ),
      runs(2_000),
    );
  });

  it('text parsers never throw', async () => {
    await fuzz(
      'text parsers',
      fc.property(grammarText, (text) => {
        parseDuration(text);
        parseSize(text);
        parseMatcher(text);
        parseHostPort(text);
        parseMeminfo(text);
        parseLoadavg(text);
        parseJsonPath(text);
        parseDomainRecord(text);
        const bootstrap = parseBootstrap(text);
        if (typeof bootstrap !== 'string') serverFor(bootstrap, text);
        parseSetCookie(text);
        parseCsp([text]);
        readHtml(text);
        parseRequestTarget(text);
        try {
          new LinearRegExp(text).test(text);
        } catch (error) {
          if (!(error instanceof Error) || error.constructor.name !== 'RegexSyntaxError') throw error;
        }
      }),
      runs(3_000),
    );
  });

  it('the rate-limit and security graders never throw on hostile headers', async () => {
    await fuzz(
      'header graders',
      fc.property(headers, headers, fc.option(grammarText), fc.webUrl(), (main, preflight, body, hop) => {
        parseRateLimitHeaders(main, Date.now());
        const response = {
          url: 'https://example.test/',
          status: 200,
          headers: { 'content-type': 'text/html', ...main },
          verified: true,
          ...(body === null ? {} : { body }),
        };
        for (const version of [5, 6] as const) {
          analyzeScan(
            {
              host: 'example.test',
              https: response,
              // The retriever records only URLs it could parse; what a target controls is where they lead.
              httpChain: ['http://example.test/', hop],
              httpChainVerified: true,
              auto: response,
              setCookies: [main['set-cookie'] ?? []].flat().map(String),
              preflight,
              httpChecked: true,
            },
            version,
          );
        }
      }),
      runs(1_500),
    );
  });

  it('multi_http references and cookies: never throw, and a filled text scrubbed shows no extracted value', async () => {
    const name = fc.stringMatching(/^[a-e]{1,5}$/);
    const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);
    const values = fc.dictionary(
      fc.tuple(name, name).map(([step, variable]) => `${step}.${variable}`),
      secret,
      {
        maxKeys: 4,
      },
    );
    await fuzz(
      'multi_http templates',
      fc.property(
        values,
        grammarText,
        fc.array(grammarText, { maxLength: 4 }),
        (extracted, text, cookies) => {
          const map = new Map(Object.entries(extracted));
          const template = [text, ...[...map.keys()].map((key) => `\${steps.${key}}`)].join('/');
          referencesIn(template);
          const filled = fill(template, map);
          const shown = scrub(`${filled} ${fill(template, map, encodeURIComponent)}`, map);
          for (const value of map.values()) expect(shown).not.toContain(value);
          const jar = new CookieJar();
          jar.store(new URL('http://example.test/'), cookies);
          jar.header(new URL('http://example.test/x'));
        },
      ),
      runs(1_500),
    );
  });

  it('heartbeat pings and cron schedules: any path, header and body is answered, never thrown', async () => {
    const rows = new Map<string, string>();
    const store = {
      get: (key: string) => rows.get(key),
      set: (key: string, value: string) => void rows.set(key, value),
      delete: (key: string) => void rows.delete(key),
      keys: () => [...rows.keys()],
    };
    const inbox = new HeartbeatInbox(store, Date.now, true);
    const token = 'f3b0c44298fc1c149afbf4c8996fb924';
    const spec = {
      name: 'job',
      kind: 'heartbeat',
      timeoutMs: 1_000,
      labels: {},
      settings: heartbeatProber.toSettings({ token, period: 60_000, grace: 60_000, timezone: 'UTC' }),
      source: { file: 't', line: 1 },
    };
    const segment = fc.oneof(
      grammarText,
      fc.constantFrom(token, 'job', 'start', 'fail', '0', '255', '256', ''),
    );
    await fuzz(
      'heartbeat pings',
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
        fc.option(grammarText),
        grammarText,
        (segments, method, authorization, body) => {
          const answer = inbox.handle({
            method,
            path: segments.join('/'),
            headers: authorization === null ? {} : { authorization },
            body,
            probes: [spec],
            now: Date.now(),
          });
          expect([200, 401, 404, 405]).toContain(answer.status);
          parseCronSchedule(segments.join(' '), body);
        },
      ),
      runs(1_500),
    );
  });

  it('RDAP answers and bootstrap files: JSON of any shape is parsed or refused, never thrown', async () => {
    await fuzz(
      'rdap json',
      fc.property(fc.jsonValue(), fc.domain(), (value, domain) => {
        const text = JSON.stringify(value);
        parseDomainRecord(text);
        parseDomainRecord(
          JSON.stringify({ objectClassName: 'domain', events: value, entities: value, status: value }),
        );
        for (const candidate of [
          text,
          JSON.stringify({ services: value }),
          JSON.stringify({ services: [[value, value]] }),
        ]) {
          const bootstrap = parseBootstrap(candidate);
          if (typeof bootstrap !== 'string') serverFor(bootstrap, domain);
        }
      }),
      runs(1_500),
    );
  });

  it('gRPC health messages: any bytes decode to a status or a problem; names survive encoding', async () => {
    await fuzz(
      'grpc health proto',
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 300 }), (bytes, service) => {
        const decoded = decodeHealthCheckResponse(Buffer.from(bytes));
        expect(typeof decoded === 'string' || typeof decoded.problem === 'string').toBe(true);
        const encoded = encodeHealthCheckRequest(service);
        // Read back as the server would: field 1, a varint length, the UTF-8 name.
        if (service !== '')
          expect(encoded.subarray(encoded.length - Buffer.byteLength(service)).toString()).toBe(service);
      }),
      runs(3_000),
    );
  });

  it('time intervals: any field text is parsed or refused, and a parsed interval answers for any time', async () => {
    const field = fc.array(
      fc.oneof(
        grammarText,
        fc.constantFrom('monday:friday', '-3:-1', '1:31', 'may:august', '2026', '0', '-32'),
      ),
      { maxLength: 3 },
    );
    await fuzz(
      'time intervals',
      fc.property(
        field,
        field,
        field,
        field,
        grammarText,
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (weekdays, days, months, years, clock, at) => {
          const parsed = timeIntervalSchema.safeParse({
            name: 'fuzz',
            time_intervals: [
              {
                weekdays,
                days_of_month: days,
                months,
                years,
                times: [{ start_time: clock, end_time: '24:00' }],
              },
              { weekdays, days_of_month: days },
            ],
          });
          if (parsed.success) intervalContains(toTimeInterval(parsed.data), at);
        },
      ),
      runs(1_500),
    );
  });
});
