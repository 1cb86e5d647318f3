import { getEventListeners } from 'node:events';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { exchange } from '../../src/probers/http-client/exchange.js';
import { createTrace } from '../../src/probers/net/connect.js';
import { days, makeCa, makeLeaf, writeCaFile, writeKeyPair } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';
import { refusedPort, withHttpServer, withHttpsServer, withTcpServer } from '../helpers/servers.js';

describe('http prober: successes', () => {
  it('reports status, phases, sizes and sends a User-Agent', async () => {
    const target = await withHttpServer((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('hello');
    });
    const result = await probe({ kind: 'http', url: `${target.url}/health` });
    expect(result.ok).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.facts.http).toMatchObject({
      statusCode: 200,
      bodyBytes: 5,
      contentLength: 5,
      redirects: 0,
    });
    expect(Object.keys(result.phases).sort()).toEqual([
      'connect',
      'processing',
      'resolve',
      'tls',
      'transfer',
    ]);
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases.tls).toBe(0);
    expect(target.requests[0]!.headers['user-agent']).toMatch(/^prismwatch\//);
  });

  it('follows redirects, counting them, and drops credentials when the origin changes', async () => {
    const other = await withHttpServer((req, res) => res.end(req.headers.authorization ?? 'no-auth'));
    const target = await withHttpServer((req, res) => {
      if (req.url === '/a') return res.writeHead(302, { location: '/b' }).end();
      if (req.url === '/b') return res.writeHead(301, { location: `${other.url}/c` }).end();
      res.end();
    });
    const result = await probe({
      kind: 'http',
      url: `${target.url}/a`,
      auth: { bearer: 's3cret' },
      expect: { contains: ['no-auth'] },
    });
    expect(result.ok).toBe(true);
    expect(result.facts.http).toMatchObject({ statusCode: 200, redirects: 2, finalUrl: `${other.url}/c` });
    expect(target.requests[0]!.headers.authorization).toBe('Bearer s3cret');
  });

  it('accepts configured status codes, classes and ranges', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(404).end());
    expect((await probe({ kind: 'http', url: target.url, valid_status_codes: [404] })).ok).toBe(true);
    expect((await probe({ kind: 'http', url: target.url, valid_status_codes: ['4xx'] })).ok).toBe(true);
    expect((await probe({ kind: 'http', url: target.url, valid_status_codes: ['400-404'] })).ok).toBe(true);
  });

  it('sends method, headers, body and basic auth', async () => {
    let seen = '';
    const target = await withHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen = `${req.method} ${req.headers['x-probe']} ${req.headers.authorization} ${body}`;
        res.end();
      });
    });
    const result = await probe({
      kind: 'http',
      url: target.url,
      method: 'POST',
      headers: { 'X-Probe': 'yes' },
      body: '{"ping":1}',
      auth: { basic: { username: 'ops', password: 'pw' } },
    });
    expect(result.ok).toBe(true);
    expect(seen).toBe(`POST yes Basic ${Buffer.from('ops:pw').toString('base64')} {"ping":1}`);
  });

  it('decompresses gzip bodies before assertions and size limits', async () => {
    const payload = JSON.stringify({ status: 'ok', checks: { db: { up: true } }, items: [1, 2] });
    const target = await withHttpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(gzipSync(payload));
    });
    const result = await probe({
      kind: 'http',
      url: target.url,
      expect: {
        json: [
          { path: '$.status', equals: 'ok' },
          { path: 'checks.db.up', equals: true },
          { path: '$.items[1]', equals: 2 },
          { path: '$.missing', exists: false },
        ],
        headers: { 'Content-Type': 'json' },
      },
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.http?.bodyBytes).toBe(payload.length);
  });
});

describe('http prober: every failure code against a real misbehaving server', () => {
  it('connect_refused', async () => {
    const port = await refusedPort();
    const result = await probe({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    expect(result.failure).toEqual({
      code: 'connect_refused',
      phase: 'connect',
      message: `connection to 127.0.0.1:${port} refused`,
    });
  });

  it('dns_error for a name that does not resolve', async () => {
    const result = await probe({ kind: 'http', url: 'http://does-not-exist.invalid/' });
    expect(result.failure?.code).toBe('dns_error');
    expect(result.failure?.phase).toBe('resolve');
    expect(result.failure?.message).toMatch(/^could not resolve does-not-exist\.invalid: /);
  });

  it('timeout in processing when headers never come', async () => {
    const target = await withTcpServer(() => {
      // Accepts and says nothing.
    });
    const result = await probe({ kind: 'http', url: target.url, timeout: '300ms' });
    expect(result.failure).toMatchObject({ code: 'timeout', phase: 'processing' });
    expect(result.failure?.message).toBe(
      `timed out after 300ms while waiting for the response headers (127.0.0.1:${target.port})`,
    );
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('timeout in transfer when the body stalls midway', async () => {
    const target = await withHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const result = await probe({ kind: 'http', url: target.url, timeout: '300ms' });
    expect(result.failure).toMatchObject({ code: 'timeout', phase: 'transfer' });
    expect(result.facts.http?.statusCode).toBe(0);
  });

  it('reset when the server closes the connection mid-body', async () => {
    const target = await withTcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      });
    });
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure).toMatchObject({ code: 'reset', phase: 'transfer' });
  });

  it('reset when the server resets before answering', async () => {
    const target = await withTcpServer((socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    });
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure).toMatchObject({ code: 'reset', phase: 'processing' });
  });

  it('protocol_error on malformed HTTP', async () => {
    const target = await withTcpServer((socket) => {
      socket.once('data', () => socket.end('SMTP ready, not HTTP at all\r\n\r\n'));
    });
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure?.code).toBe('protocol_error');
    expect(result.failure?.message).toMatch(/^invalid HTTP response from 127\.0\.0\.1:\d+: /);
  });

  it('status_mismatch says what was expected and what came', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure).toEqual({ code: 'status_mismatch', message: 'expected status 200-299, got 503' });
    expect(result.facts.http?.statusCode).toBe(503);
  });

  it('assertion_failed for body, JSON and header expectations', async () => {
    const target = await withHttpServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"degraded"}');
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ contains: ['"ok"'] }, 'expected body to contain "\\"ok\\""'],
      [{ not_contains: ['degraded'] }, 'expected body not to contain "degraded"'],
      [{ regex: ['"status":"ok"'] }, 'expected body to match /"status":"ok"/'],
      [{ json: [{ path: '$.status', equals: 'ok' }] }, 'expected $.status to equal "ok", got "degraded"'],
      [{ json: [{ path: '$.db', exists: true }] }, 'expected JSON path $.db to exist'],
      [{ headers: { 'x-version': '.+' } }, 'expected header x-version matching /.+/, but it is missing'],
      [
        { headers: { 'content-type': '^text/' } },
        'expected header content-type to match /^text//, got "application/json"',
      ],
    ];
    for (const [expectation, message] of cases) {
      const result = await probe({ kind: 'http', url: target.url, expect: expectation });
      expect(result.failure, JSON.stringify(expectation)).toEqual({ code: 'assertion_failed', message });
    }
  });

  it('body_too_large from a declared Content-Length, without reading it', async () => {
    const target = await withTcpServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2147483648\r\n\r\n'));
    });
    const result = await probe({ kind: 'http', url: target.url, max_body_bytes: '1MiB' });
    expect(result.failure).toEqual({
      code: 'body_too_large',
      phase: 'transfer',
      message: 'Content-Length 2147483648 is larger than max_body_bytes (1048576 bytes)',
    });
  });

  it('body_too_large from an endless chunked body, stopping at the limit', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const target = await withHttpServer((_req, res) => {
      const pump = () => {
        while (res.write(chunk)) {
          // keep writing until the socket pushes back
        }
      };
      res.on('drain', pump);
      res.on('error', () => {});
      pump();
    });
    const result = await probe({ kind: 'http', url: target.url, max_body_bytes: '256KiB' });
    expect(result.failure).toEqual({
      code: 'body_too_large',
      phase: 'transfer',
      message: 'body is larger than max_body_bytes (262144 bytes)',
    });
  });

  it('body_too_large counts bytes after decompression (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    const target = await withHttpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const result = await probe({ kind: 'http', url: target.url, max_body_bytes: '1MiB' });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(result.failure?.code).toBe('body_too_large');
  });

  it('too_many_redirects on a loop, reporting the last status like blackbox', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const result = await probe({ kind: 'http', url: target.url, max_redirects: 3 });
    expect(result.failure).toEqual({
      code: 'too_many_redirects',
      message: `more than 3 redirects (last to ${target.url}/loop)`,
    });
    expect(result.facts.http).toMatchObject({ redirects: 4, statusCode: 302 });
  });

  it('a redirect is a plain response when follow_redirects is off', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const result = await probe({
      kind: 'http',
      url: target.url,
      follow_redirects: false,
      valid_status_codes: [302],
    });
    expect(result.ok).toBe(true);
    expect(result.facts.http?.redirects).toBe(0);
  });
});

describe('http prober: TLS', () => {
  it('trusts a custom CA, reports version, cipher and expiry, and times the handshake', async () => {
    const ca = await makeCa();
    const leaf = await makeLeaf({ ca, notAfter: days(30) });
    const target = await withHttpsServer(leaf, (_req, res) => res.end('ok'));
    const caFile = writeCaFile(ca);
    const result = await probe({ kind: 'http', url: target.url, tls: { ca_file: caFile } });
    expect(result.failure).toBeUndefined();
    expect(result.phases.tls).toBeGreaterThan(0);
    expect(result.facts.tls?.version).toBe('TLSv1.3');
    expect(result.facts.tls?.authorized).toBe(true);
    const expected = Math.floor(leaf.certificate.notAfter.getTime() / 1000);
    expect(result.facts.tls?.earliestExpiry).toBe(expected);
  });

  it.each([
    ['self-signed', async () => makeLeaf(), /certificate is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    [
      'expired',
      async () => makeLeaf({ ca: await makeCa(), notBefore: days(-30), notAfter: days(-1) }),
      /not signed by a trusted authority|has expired/,
    ],
  ])('tls_error for a %s certificate, still reporting its expiry', async (_name, make, message) => {
    const leaf = await make();
    const target = await withHttpsServer(leaf, (_req, res) => res.end('ok'));
    const result = await probe({ kind: 'http', url: target.url });
    expect(result.failure?.code).toBe('tls_error');
    expect(result.failure?.phase).toBe('tls');
    expect(result.failure?.message).toMatch(message);
    expect(result.facts.tls?.earliestExpiry).toBe(Math.floor(leaf.certificate.notAfter.getTime() / 1000));
  });

  it('tls_error names expiry and wrong host when the CA is trusted', async () => {
    const ca = await makeCa();
    const caFile = writeCaFile(ca);
    const expired = await withHttpsServer(
      await makeLeaf({ ca, notBefore: days(-30), notAfter: days(-1) }),
      (_q, s) => s.end(),
    );
    const wrongHost = await withHttpsServer(await makeLeaf({ ca, hosts: ['api.example.com'] }), (_q, s) =>
      s.end(),
    );
    const future = await withHttpsServer(
      await makeLeaf({ ca, notBefore: days(2), notAfter: days(30) }),
      (_q, s) => s.end(),
    );
    const cases: Array<[string, string]> = [
      [expired.url, 'certificate has expired (CERT_HAS_EXPIRED)'],
      [wrongHost.url, 'certificate does not match the host name (ERR_TLS_CERT_ALTNAME_INVALID)'],
      [future.url, 'certificate is not yet valid (CERT_NOT_YET_VALID)'],
    ];
    for (const [url, message] of cases) {
      const result = await probe({ kind: 'http', url, tls: { ca_file: caFile } });
      expect(result.failure).toEqual({ code: 'tls_error', phase: 'tls', message });
    }
  });

  it('presents a client certificate when the server requires one (mTLS)', async () => {
    const ca = await makeCa();
    const caFile = writeCaFile(ca);
    const { createServer } = await import('node:https');
    const leaf = await makeLeaf({ ca });
    const server = createServer(
      { cert: leaf.cert, key: leaf.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.end(peer.subject?.CN ?? 'none');
      },
    );
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
    const { certFile, keyFile } = writeKeyPair(
      await makeLeaf({ ca, client: true, hosts: ['prismwatch-client'] }),
    );
    const withCert = await probe({
      kind: 'http',
      url,
      tls: { ca_file: caFile, cert_file: certFile, key_file: keyFile },
      expect: { contains: ['prismwatch-client'] },
    });
    expect(withCert.failure).toBeUndefined();
    const without = await probe({ kind: 'http', url, tls: { ca_file: caFile } });
    expect(without.ok).toBe(false);
    expect(without.failure?.code).toBe('tls_error');
    expect(without.failure?.message).toMatch(/CERTIFICATE_REQUIRED|certificate required/i);
  });

  it('insecure_skip_verify accepts a bad certificate but still reports it', async () => {
    const target = await withHttpsServer(await makeLeaf(), (_req, res) => res.end('ok'));
    const result = await probe({ kind: 'http', url: target.url, tls: { insecure_skip_verify: true } });
    expect(result.ok).toBe(true);
    expect(result.facts.tls?.authorized).toBe(false);
  });

  it('tls_error when the server speaks plain HTTP on an https URL', async () => {
    const target = await withHttpServer((_req, res) => res.end('plain'));
    const result = await probe({ kind: 'http', url: target.url.replace('http:', 'https:') });
    expect(result.failure?.code).toBe('tls_error');
  });
});

describe('http exchange: the run signal', () => {
  const hop = (signal: AbortSignal) => ({
    signal,
    deadline: Date.now() + 60_000,
    now: Date.now,
    tls: { insecureSkipVerify: false },
    ipProtocol: 'auto' as const,
    ipFallback: true,
    maxBodyBytes: 1024 * 1024,
    keepBody: true,
  });

  it('leaves no listener on the signal once the exchange is over', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const controller = new AbortController();
    const response = await exchange(
      { url: new URL(`${target.url}/`), method: 'GET', headers: {} },
      hop(controller.signal),
      createTrace(),
    );
    expect(response.statusCode).toBe(200);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('ends a body that stalls when the signal aborts, and refuses to start on an aborted one', async () => {
    const target = await withHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
    });
    const controller = new AbortController();
    const trace = createTrace();
    const pending = exchange(
      { url: new URL(`${target.url}/`), method: 'GET', headers: {} },
      hop(controller.signal),
      trace,
    );
    // Wait for the head: the abort must catch the exchange while it reads the body.
    await vi.waitFor(() => expect(trace.phase).toBe('transfer'), { timeout: 60_000 });
    controller.abort();
    // The body ends as a reset connection; the prober reads the cause (a timeout) off the signal.
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(
      exchange(
        { url: new URL(`${target.url}/`), method: 'GET', headers: {} },
        hop(controller.signal),
        createTrace(),
      ),
    ).rejects.toMatchObject({ code: 'PRISMWATCH_ABORTED' });
  });
});
