/**
 * Redirects follow the Fetch standard: only http(s) is followed, credentials stay with their
 * origin (https → http included), and credentials in the URL become Basic auth. Before, a
 * `Location: file:///etc/passwd` ended the daemon with an unhandled rejection, `ftp://` was sent
 * as plain HTTP and reported success, and Cookie and X-Api-Key followed a redirect anywhere.
 */
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer, withHttpsServer } from '../helpers/servers.js';

function redirectingTo(location: string) {
  return withHttpServer((_req, res) => {
    res.writeHead(302, { location });
    res.end();
  });
}

describe('redirect schemes', () => {
  it.each([
    'file:///etc/passwd',
    'about:blank',
    'data:text/plain,hello',
    'mailto:ops@example.com',
    'ftp://127.0.0.1/pub',
    'gopher://127.0.0.1:70/',
    'javascript:alert(1)',
  ])('a redirect to %s fails as redirect_invalid and sends nothing more', async (location) => {
    const target = await redirectingTo(location);
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('redirect_invalid');
    expect(result.failure?.message).toContain('only http and https URLs are');
    expect(target.requests).toHaveLength(1);
  });

  it('an unparseable Location fails as redirect_invalid', async () => {
    const target = await redirectingTo('http://%zz/');
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure).toMatchObject({ code: 'redirect_invalid' });
    expect(result.failure?.message).toContain('unparseable');
  });

  it('a security_headers scan ends its chain at a non-http redirect instead of crashing', async () => {
    const target = await redirectingTo('file:///etc/passwd');
    const result = await probe({ kind: 'security_headers', url: target.url, http_url: false });
    expect(result.failure?.code).toBe('redirect_invalid');
  });
});

describe('credentials on redirect', () => {
  const secrets = {
    authorization: 'Bearer s3cret',
    cookie: 'session=s3cret',
    'x-api-key': 's3cret',
    'x-auth-token': 's3cret',
    'proxy-authorization': 'Basic s3cret',
    'x-tenant': 's3cret-marked',
  };

  it('keeps every header on the same origin and drops every credential on another', async () => {
    const other = await withHttpServer((_req, res) => res.end('ok'));
    const origin = await withHttpServer((req, res) => {
      if (req.url === '/a') {
        res.writeHead(302, { location: '/b' });
        res.end();
      } else {
        res.writeHead(302, { location: `${other.url}/c` });
        res.end();
      }
    });
    const result = await probe({
      kind: 'http',
      url: `${origin.url}/a`,
      headers: { ...secrets, accept: 'text/plain' },
      secret_headers: ['X-Tenant'],
    });
    expect(result.ok).toBe(true);
    for (const [name, value] of Object.entries(secrets)) {
      expect(origin.requests[1]!.headers[name]).toBe(value);
      expect(other.requests[0]!.headers[name]).toBeUndefined();
    }
    expect(other.requests[0]!.headers.accept).toBe('text/plain');
  });

  it('drops credentials on https → http to the same host', async () => {
    const leaf = await makeLeaf({ ca: await makeCa() });
    const plain = await withHttpServer((_req, res) => res.end('ok'));
    const secure = await withHttpsServer(leaf, (_req, res) => {
      res.writeHead(301, { location: plain.url });
      res.end();
    });
    const result = await probe({
      kind: 'http',
      url: secure.url,
      headers: { cookie: 'session=s3cret' },
      auth: { bearer: 's3cret' },
      tls: { insecure_skip_verify: true },
    });
    expect(result.ok).toBe(true);
    expect(secure.requests[0]!.headers.cookie).toBe('session=s3cret');
    expect(plain.requests[0]!.headers.cookie).toBeUndefined();
    expect(plain.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('credentials in the URL', () => {
  it('become Basic auth (percent-decoded) and are never shown', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const url = target.url.replace('http://', 'http://ops:p%40ss%3Aword@');
    const result = await probe({ kind: 'http', url: `${url}/health` });
    expect(result.ok).toBe(true);
    const sent = target.requests[0]!.headers.authorization!;
    expect(Buffer.from(sent.replace('Basic ', ''), 'base64').toString()).toBe('ops:p@ss:word');
    expect(JSON.stringify(result)).not.toContain('p%40ss');
    expect(JSON.stringify(result)).not.toContain('ops:');
  });
});
