/**
 * The server answers every request it cannot make sense of with 400 (or 500 for its own bugs),
 * for that request only: the same process keeps serving. Before, `GET //` and friends threw out
 * of the request handler and ended the daemon.
 */
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, listen, type ServerHandlers } from '../../src/server/http.js';
import type { ServerLimits } from '../../src/server/server-limits.js';
import { ServerMetrics } from '../../src/server/server-metrics.js';
import { captureLog } from '../helpers/log.js';
import { idleConnection, rawRequest, statusOf, untilClosed } from '../helpers/raw-http.js';

const handlers: ServerHandlers = {
  metrics: async () => ({ contentType: 'text/plain', length: 3, chunks: [Buffer.from('ok\n')] }),
  isReady: () => true,
  reload: async () => ({ ok: true, message: 'ok' }),
  alerts: () => [],
  status: () => ({ state: { store: 'memory', leading: true } }),
  badge: () => ({ status: 404, svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
  probes: () => [],
  probeResults: (name) => (name === 'api' ? [] : undefined),
  collections: { silences: { writable: true, get: () => undefined } },
  statusPage: async () => {
    throw new Error('a bug while rendering the status page');
  },
  artifact: () => undefined,
  pushPrefixes: ['/ping/'],
  push: (request) => {
    if (request.path === '/ping/boom') throw new Error('a bug in an inbox');
    return { status: 200, body: 'OK\n' };
  },
  agents: {
    authenticate: () => ({ refused: 'unknown_token' }),
    assignment: () => undefined,
    ingest: () => ({ status: 401, answer: { error: 'unknown agent' } }),
    accepting: () => true,
    status: () => [],
  },
  acknowledge: () => undefined,
  statusPages: () => undefined,
  discovery: () => [],
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(limits: Partial<ServerLimits> = {}) {
  const registry = new Registry();
  const metrics = new ServerMetrics(registry);
  const logs = captureLog('debug');
  server = createHttpServer({ handlers, log: logs.log, metrics, limits });
  const { port } = await listen(server, '127.0.0.1', 0);
  const errors = async (reason: string) =>
    (await registry.getSingleMetric('prismwatch_http_request_errors_total')!.get()).values.find(
      (value) => value.labels.reason === reason,
    )?.value ?? 0;
  return { port, errors, logs };
}

async function healthy(port: number): Promise<number> {
  return statusOf(await rawRequest(port, 'GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
}

describe('malformed requests', () => {
  it.each([
    ['GET //', 404],
    ['GET http://%zz/', 400],
    ['GET /api/v1/probes/%E0%A4%A/results', 400],
    ['DELETE /api/v1/silences/%ff', 403],
    ['GET /api/v1/probes/%zz/results', 400],
    ['GET *', 400],
    ['GET /api/v1/probes/api/results?since=%zz', 400],
    ['GET http://prismwatch/-/healthy', 200],
  ])('%s answers %i and the server keeps serving', async (line, status) => {
    const { port } = await serve();
    const answer = await rawRequest(port, `${line} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(statusOf(answer)).toBe(status);
    expect(await healthy(port)).toBe(200);
  });

  it('counts a bad request and logs it at debug only', async () => {
    const { port, errors, logs } = await serve();
    await rawRequest(port, 'GET http://%zz/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await errors('bad_request')).toBe(1);
    expect(logs.lines.filter((line) => line.msg === 'Bad request').map((line) => line.level)).toEqual([20]);
  });

  it('answers a handler that throws with 500, logs it once, and keeps serving', async () => {
    const { port, errors, logs } = await serve();
    const answer = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statusOf(answer)).toBe(500);
    expect(answer).not.toContain('a bug while rendering');
    expect(await errors('handler_error')).toBe(1);
    expect(logs.lines.filter((line) => line.msg === 'HTTP handler failed')).toHaveLength(1);
    expect(await healthy(port)).toBe(200);
  });

  it('answers garbage that is not HTTP with 400 and counts it', async () => {
    const { port, errors } = await serve();
    const answer = await rawRequest(port, '\u0000\u0001GARBAGE\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    expect(await errors('client_error')).toBe(1);
    expect(await healthy(port)).toBe(200);
  });
});

describe('pipelining', () => {
  it('answers every request pipelined on one connection, in order', async () => {
    const { port } = await serve();
    const requests = ['/-/healthy', '/-/ready', '/api/v1/alerts', '/nowhere', '/-/healthy'];
    // Read until the server closes (the last request asks it to), not until the first answer.
    const answer = await untilClosed(
      port,
      `${requests.map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join('')}GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      60_000,
    );
    const statuses = [...answer.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
    expect(statuses).toEqual([200, 200, 200, 404, 200, 200]);
  });
});

describe('connection limits', () => {
  it('closes connections past --web.max-connections and serves again once they go', async () => {
    const { port, errors } = await serve({ maxConnections: 4 });
    const held = Array.from({ length: 4 }, () => idleConnection(port));
    await Promise.all(held.map((connection) => connection.connected));
    // The fifth is accepted by the kernel, then closed by the server without an answer.
    const refused = idleConnection(port);
    await refused.closed;
    await expect.poll(() => errors('connection_limit'), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    for (const connection of held) connection.socket.destroy();
    await Promise.all(held.map((connection) => connection.closed));
    await expect.poll(() => healthy(port), { timeout: 60_000 }).toBe(200);
  });

  it('closes a connection that never sends its headers once headersTimeout has passed', async () => {
    const { port } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 100 });
    const slow = idleConnection(port);
    await slow.connected;
    slow.socket.write('GET /-/healthy HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    await slow.closed; // the test's own timeout is the bound: no wall-clock margin asserted
    expect(await healthy(port)).toBe(200);
  });

  it('closes an idle kept-alive connection after keepAliveTimeout', async () => {
    const { port } = await serve({ keepAliveTimeoutMs: 200 });
    const kept = idleConnection(port);
    await kept.connected;
    kept.socket.write('GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n');
    await kept.closed;
  });
});
