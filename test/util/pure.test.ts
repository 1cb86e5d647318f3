import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookupJsonPath, parseJsonPath } from '../../src/probers/http-client/json-path.js';
import { mapNetworkError } from '../../src/probers/net/map-error.js';
import { escapeHtml } from '../../src/util/html.js';
import { redactUrl, redactUrlsIn } from '../../src/util/redact.js';

describe('json path', () => {
  const doc = { status: 'ok', 'a.b': 1, list: [{ id: 7 }], nil: null };
  it.each([
    ['$.status', 'ok'],
    ['status', 'ok'],
    ["$['a.b']", 1],
    ['$.list[0].id', 7],
    ['$.nil', null],
  ])('%s', (path, value) => expect(lookupJsonPath(doc, path)).toEqual({ found: true, value }));
  it('reports absent paths and rejects what it cannot parse', () => {
    expect(lookupJsonPath(doc, '$.list[3]')).toEqual({ found: false });
    expect(lookupJsonPath(doc, '$.status.length')).toEqual({ found: false });
    expect(parseJsonPath('$..status')).toBeUndefined();
    expect(parseJsonPath('$.list[*]')).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('removes userinfo and every query value, whatever its name, keeping the keys', () => {
    expect(redactUrl('https://user:pw@api.example/x?token=abc&page=2&access_code=k#frag')).toBe(
      'https://api.example/x?token=<redacted>&page=<redacted>&access_code=<redacted>#<redacted>',
    );
    expect(redactUrl('postgres://u:p@ss/word@host:5432/db')).toBe('postgres://ss/<redacted>');
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every URL inside a text and leaves the rest', () => {
    expect(redactUrlsIn('redirect to https://a.example/cb?code=XYZ refused; see tls://h:443')).toBe(
      'redirect to https://a.example/cb?code=<redacted> refused; see tls://h:443',
    );
    expect(redactUrlsIn('no url here :// at all')).toBe('no url here :// at all');
    expect(redactUrlsIn('postgres://u:hunter/2-SECRET@db:5432/app failed')).toBe(
      'postgres://<unreadable> failed',
    );
  });

  it('never shows a query value or a password, is idempotent, and keeps texts without URLs (fuzzed)', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((text) => `S3CR${text}`);
    const host = fc.constantFrom('api.example', '127.0.0.1', 'db', '[::1]:8443');
    const url = fc
      .tuple(
        fc.constantFrom('https', 'http', 'postgres', 'redis', 'wss'),
        host,
        secret,
        fc.string({ maxLength: 8 }),
        secret,
      )
      .map(([scheme, where, password, key, value]) => ({
        text: `${scheme}://user:${password}@${where}/p?${encodeURIComponent(key) || 'k'}=${value}`,
        secrets: [password, value],
      }));
    const filler = fc.string({ maxLength: 20 }).map((text) => text.replace(/[A-Za-z0-9+.-]*:\/\//g, ''));
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, url), { maxLength: 4 }), filler, (parts, tail) => {
        const text = parts.map(([before, { text: found }]) => `${before} ${found} `).join('') + tail;
        const shown = redactUrlsIn(text);
        for (const [, { secrets }] of parts)
          for (const hidden of secrets) expect(shown).not.toContain(hidden);
        expect(redactUrlsIn(shown)).toBe(shown);
      }),
      { seed: 20261206, numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        if (!text.includes('://')) expect(redactUrlsIn(text)).toBe(text);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });
});

describe('mapNetworkError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'connect_refused'],
    [{ code: 'ENOTFOUND' }, 'dns_error'],
    [{ code: 'UND_ERR_SOCKET' }, 'reset'],
    [{ code: 'HPE_INVALID_CONSTANT' }, 'protocol_error'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'tls_error'],
    [{ message: 'wrapped', cause: { code: 'ECONNRESET' } }, 'reset'],
  ])('%j → %s', (error, code) => expect(mapNetworkError(error, 'connect')?.code).toBe(code));
  it('returns undefined for errors no target can cause (our bugs)', () => {
    expect(mapNetworkError(new TypeError('x is not a function'), 'processing')).toBeUndefined();
  });
  it('keeps the phase undici reports for its own timeouts', () => {
    expect(mapNetworkError({ code: 'UND_ERR_BODY_TIMEOUT' }, 'processing')?.phase).toBe('transfer');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and shows NUL, controls and bidirectional overrides as U+FFFD', () => {
    expect(escapeHtml('<b a="1">&\'</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;');
    expect(escapeHtml('ok\u0000 \u202egnp.exe \u2066x\u2069\tline\n')).toBe(
      'ok\ufffd \ufffdgnp.exe \ufffdx\ufffd\tline\n',
    );
  });
});
