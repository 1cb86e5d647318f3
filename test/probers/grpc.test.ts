/** The grpc kind against a real @grpc/grpc-js server on loopback, plaintext and TLS. */
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { withGrpcHealthServer } from '../helpers/grpc-server.js';
import { probe } from '../helpers/probe.js';
import { refusedPort, withTcpServer } from '../helpers/servers.js';

describe('grpc prober', () => {
  it('asks the health service about the server and about a named service', async () => {
    const server = await withGrpcHealthServer({ '': 1, 'prismai.Inference': 2, odd: 9 });
    const whole = await probe({ kind: 'grpc', target: server.target });
    expect(whole.failure).toBeUndefined();
    expect(whole.facts.grpc).toEqual({ servingStatus: 'SERVING', statusCode: 0, service: '', tls: false });
    expect(whole.phases.connect).toBeGreaterThan(0);
    const named = await probe({ kind: 'grpc', target: server.target, service: 'prismai.Inference' });
    expect(named.failure).toEqual({
      code: 'grpc_not_serving',
      message: 'service "prismai.Inference" answered NOT_SERVING',
    });
    expect(named.facts.grpc!.servingStatus).toBe('NOT_SERVING');
    expect(
      (await probe({ kind: 'grpc', target: server.target, service: 'odd' })).facts.grpc!.servingStatus,
    ).toBe('UNKNOWN');
    const unknown = await probe({ kind: 'grpc', target: server.target, service: 'nope' });
    expect(unknown.failure).toMatchObject({
      code: 'grpc_error',
      message: 'health check failed with NOT_FOUND: unknown service',
    });
    expect(unknown.facts.grpc!.statusCode).toBe(5);
    expect(server.calls).toEqual(['', 'prismai.Inference', 'odd', 'nope']);
  });

  it('verifies the server certificate over TLS and reports its expiry', async () => {
    const ca = await makeCa();
    const server = await withGrpcHealthServer({ '': 1 }, await makeLeaf({ ca, hosts: ['127.0.0.1'] }));
    const trusted = await probe({ kind: 'grpc', target: server.target, tls: { ca_file: writeCaFile(ca) } });
    expect(trusted.failure).toBeUndefined();
    expect(trusted.facts.grpc!.tls).toBe(true);
    expect(trusted.facts.tls!.earliestExpiry).toBeGreaterThan(Date.now() / 1000);
    const untrusted = await probe({ kind: 'grpc', target: server.target, tls: true });
    expect(untrusted.failure?.code).toBe('tls_error');
  });

  it('fails fast and says why when no gRPC server answers', async () => {
    const refused = await probe({ kind: 'grpc', target: `127.0.0.1:${await refusedPort()}`, timeout: '5s' });
    expect(refused.failure).toMatchObject({ code: 'connect_refused' });
    expect(refused.durationMs).toBeLessThan(4_000);
    // A port that accepts and says nothing: the deadline.
    const silent = await withTcpServer(() => {});
    const stalled = await probe({ kind: 'grpc', target: `127.0.0.1:${silent.port}`, timeout: '500ms' });
    expect(stalled.failure?.code).toMatch(/^(connect_timeout|timeout|connect_error)$/);
  });

  it('runs once from the command line', async () => {
    const server = await withGrpcHealthServer({ '': 1 });
    const result = await runCli(['probe', '--kind', 'grpc', server.target]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}grpc +SERVING \(status code 0\)/);
  });
});
