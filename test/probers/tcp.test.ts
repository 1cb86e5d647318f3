import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';
import { refusedPort, withTcpServer } from '../helpers/servers.js';

describe('tcp prober', () => {
  it('succeeds when the port accepts, timing resolve and connect', async () => {
    const target = await withTcpServer((socket) => socket.end());
    const result = await probe({ kind: 'tcp', target: `127.0.0.1:${target.port}` });
    expect(result.ok).toBe(true);
    expect(result.phases.connect).toBeGreaterThan(0);
  });

  it('runs a send/expect exchange in order', async () => {
    const target = await withTcpServer((socket) => {
      socket.write('220 ready\r\n');
      socket.on('data', (data) => {
        if (String(data).startsWith('PING')) socket.write('+PONG\r\n');
      });
    });
    const result = await probe({
      kind: 'tcp',
      target: `127.0.0.1:${target.port}`,
      query_response: [{ expect: '^220 ' }, { send: 'PING\r\n' }, { expect: '\\+PONG' }],
    });
    expect(result.failure).toBeUndefined();
  });

  it('connect_refused', async () => {
    const port = await refusedPort();
    const result = await probe({ kind: 'tcp', target: `127.0.0.1:${port}` });
    expect(result.failure).toEqual({
      code: 'connect_refused',
      phase: 'connect',
      message: `connection to 127.0.0.1:${port} refused`,
    });
  });

  it('timeout when the server stays silent', async () => {
    const target = await withTcpServer(() => {});
    const result = await probe({
      kind: 'tcp',
      target: `127.0.0.1:${target.port}`,
      timeout: '300ms',
      query_response: [{ expect: '^220' }],
    });
    expect(result.failure).toEqual({
      code: 'timeout',
      phase: 'processing',
      message: `timed out after 300ms while waiting for the expected reply (127.0.0.1:${target.port})`,
    });
  });

  it('assertion_failed on a wrong banner, quoting what came', async () => {
    const target = await withTcpServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n'));
    const result = await probe({
      kind: 'tcp',
      target: `127.0.0.1:${target.port}`,
      timeout: '300ms',
      query_response: [{ expect: '^220' }],
    });
    expect(result.failure).toEqual({
      code: 'assertion_failed',
      phase: 'processing',
      message: 'expected a reply matching /^220/, got "SSH-2.0-OpenSSH_9.2\\r\\n"',
    });
  });

  it('assertion_failed when the server hangs up first', async () => {
    const target = await withTcpServer((socket) => socket.end('bye\r\n'));
    const result = await probe({
      kind: 'tcp',
      target: `127.0.0.1:${target.port}`,
      query_response: [{ expect: '^220' }],
    });
    expect(result.failure?.message).toBe(
      'connection closed before a reply matching /^220/ (received "bye\\r\\n")',
    );
  });

  it('speaks TLS when asked, trusting a given CA, and reports the certificate', async () => {
    const ca = await makeCa();
    const leaf = await makeLeaf({ ca });
    const server = createTlsServer({ cert: leaf.cert, key: leaf.key }, (socket) => socket.end('hello\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const result = await probe({
      kind: 'tcp',
      target: `127.0.0.1:${port}`,
      tls: { ca_file: writeCaFile(ca) },
      query_response: [{ expect: '^hello' }],
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.tls?.authorized).toBe(true);
    const untrusted = await probe({ kind: 'tcp', target: `127.0.0.1:${port}`, tls: true });
    expect(untrusted.failure?.code).toBe('tls_error');
  });
});
