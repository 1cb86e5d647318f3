import type { AddressInfo } from 'node:net';
import { createServer, type TlsOptions } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type CertificateBundle, days, makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';

async function withTlsServer(leaf: CertificateBundle, options: TlsOptions = {}): Promise<number> {
  const server = createServer({ cert: leaf.cert, key: leaf.key, ...options }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

describe('tls prober', () => {
  it('passes a valid chain and reports expiry, version and cipher', async () => {
    const ca = await makeCa();
    const leaf = await makeLeaf({ ca, hosts: ['localhost'], notAfter: days(20) });
    const port = await withTlsServer(leaf);
    const result = await probe({
      kind: 'tls',
      target: `localhost:${port}`,
      ip_protocol: 'ip4',
      tls: { ca_file: writeCaFile(ca) },
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.tls).toMatchObject({
      version: 'TLSv1.3',
      authorized: true,
      earliestExpiry: Math.floor(leaf.certificate.notAfter.getTime() / 1000),
      subject: 'CN=localhost',
    });
    expect(result.facts.tls?.cipher).toMatch(/^TLS_/);
  });

  it.each([
    ['expired', { notBefore: days(-60), notAfter: days(-1) }, 'certificate has expired (CERT_HAS_EXPIRED)'],
    [
      'not yet valid',
      { notBefore: days(3), notAfter: days(60) },
      'certificate is not yet valid (CERT_NOT_YET_VALID)',
    ],
    [
      'for another host',
      { hosts: ['api.example.com'] },
      'certificate does not match the host name (ERR_TLS_CERT_ALTNAME_INVALID)',
    ],
  ])('fails a certificate that is %s', async (_name, leafOptions, message) => {
    const ca = await makeCa();
    const port = await withTlsServer(await makeLeaf({ ca, ...leafOptions }));
    const result = await probe({
      kind: 'tls',
      target: `127.0.0.1:${port}`,
      tls: { ca_file: writeCaFile(ca) },
    });
    expect(result.failure).toEqual({ code: 'tls_error', phase: 'tls', message });
    expect(result.facts.tls?.earliestExpiry).toBeGreaterThan(0);
  });

  it('fails a self-signed certificate', async () => {
    const port = await withTlsServer(await makeLeaf());
    const result = await probe({ kind: 'tls', target: `127.0.0.1:${port}` });
    expect(result.failure).toEqual({
      code: 'tls_error',
      phase: 'tls',
      message: 'certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('fails a server below min_version', async () => {
    const ca = await makeCa();
    const port = await withTlsServer(await makeLeaf({ ca }), { maxVersion: 'TLSv1.2' });
    const caFile = writeCaFile(ca);
    const result = await probe({
      kind: 'tls',
      target: `127.0.0.1:${port}`,
      tls: { ca_file: caFile, min_version: 'TLSv1.3' },
    });
    expect(result.failure?.code).toBe('tls_error');
    const ok = await probe({
      kind: 'tls',
      target: `127.0.0.1:${port}`,
      tls: { ca_file: caFile, min_version: 'TLSv1.2' },
    });
    expect(ok.facts.tls?.version).toBe('TLSv1.2');
  });

  it('rejects a target that is not host:port at load time', async () => {
    await expect(probe({ kind: 'tls', target: 'example.com' })).rejects.toThrow('expected host:port');
  });
});
