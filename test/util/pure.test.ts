import { describe, expect, it } from 'vitest';
import { lookupJsonPath, parseJsonPath } from '../../src/probers/http-client/json-path.js';
import { mapNetworkError } from '../../src/probers/net/map-error.js';
import { redactUrl } from '../../src/util/redact.js';

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
  it('removes userinfo and secret-looking query values', () => {
    expect(redactUrl('https://user:pw@api.example/x?token=abc&page=2&api_key=k')).toBe(
      'https://api.example/x?token=<redacted>&page=2&api_key=<redacted>',
    );
    expect(redactUrl('not a url')).toBe('<invalid url>');
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
