/** `keep_alive: true`: runs of one probe share a connection, and a connection the server dropped is not a failure. */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runProbe } from '../../src/probers/run-probe.js';
import { days, makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { captureLog } from '../helpers/log.js';
import { specFrom } from '../helpers/probe.js';
import { type Running, withHttpServer, withHttpsServer } from '../helpers/servers.js';

function countConnections(target: Running): () => number {
  let connections = 0;
  target.server.on(target.url.startsWith('https') ? 'secureConnection' : 'connection', () => {
    connections += 1;
  });
  return () => connections;
}

describe('http prober: keep_alive', () => {
  it('reuses one connection across runs, timing connect only on the first', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const connections = countConnections(target);
    const spec = specFrom({ kind: 'http', url: target.url, keep_alive: true, interval: '10s' });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await runProbe(spec, { log: captureLog().log }));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(connections()).toBe(1);
    expect(target.requests).toHaveLength(5);
    expect(target.requests[0]!.headers.connection).toBe('keep-alive');
    expect(results[0]!.phases.connect).toBeGreaterThan(0);
    for (const later of results.slice(1)) {
      expect(later.phases.connect).toBe(0);
      expect(later.phases.processing).toBeGreaterThan(0);
    }
  });

  it('is off by default: every run has its own connection, closed after the response', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const connections = countConnections(target);
    const spec = specFrom({ kind: 'http', url: target.url });
    for (let i = 0; i < 3; i++) await runProbe(spec, { log: captureLog().log });
    expect(connections()).toBe(3);
    expect(target.requests[0]!.headers.connection).toBe('close');
  });

  it('sends again on a new connection when the server closed the idle one, without a failure', async () => {
    const sockets: Socket[] = [];
    const target = await withHttpServer((req, res) => {
      sockets.push(req.socket);
      res.end('ok');
    });
    const connections = countConnections(target);
    const spec = specFrom({ kind: 'http', url: target.url, keep_alive: true, interval: '10s' });
    expect((await runProbe(spec, { log: captureLog().log })).ok).toBe(true);
    // The server drops the idle connection without a Keep-Alive hint, as a proxy or a restart would.
    sockets[0]!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await runProbe(spec, { log: captureLog().log });
    expect(second.failure).toBeUndefined();
    expect(connections()).toBe(2);
  });

  it('after a run that timed out, the next run opens a fresh connection of its own', async () => {
    let stall = true;
    const target = await withHttpServer((_req, res) => {
      if (!stall) res.end('ok');
    });
    const spec = specFrom({ kind: 'http', url: target.url, keep_alive: true, timeout: '200ms' });
    const first = await runProbe(spec, { log: captureLog().log });
    expect(first.failure).toMatchObject({ code: 'timeout', phase: 'processing' });
    stall = false;
    const second = await runProbe(spec, { log: captureLog().log });
    expect(second.failure).toBeUndefined();
    expect(second.phases.connect).toBeGreaterThan(0);
  });

  it('reports the certificate on every run over a reused TLS connection', async () => {
    const ca = await makeCa();
    const leaf = await makeLeaf({ ca, notAfter: days(30) });
    const target = await withHttpsServer(leaf, (_req, res) => res.end('ok'));
    const connections = countConnections(target);
    const spec = specFrom({
      kind: 'http',
      url: target.url,
      keep_alive: true,
      interval: '10s',
      tls: { ca_file: writeCaFile(ca) },
    });
    const first = await runProbe(spec, { log: captureLog().log });
    const second = await runProbe(spec, { log: captureLog().log });
    expect(connections()).toBe(1);
    expect(first.phases.tls).toBeGreaterThan(0);
    expect(second.phases.tls).toBe(0);
    expect(second.facts.tls?.earliestExpiry).toBe(Math.floor(leaf.certificate.notAfter.getTime() / 1000));
    expect(second.facts.tls?.authorized).toBe(true);
  });
});
