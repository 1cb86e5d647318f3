/**
 * A deployment on loopback for the paging scenario: the app over HTTP (/health, /api/health, /)
 * and its public front over HTTPS (/ with security headers, a certificate from a test CA). Each
 * can be broken on demand the way the checklist's incidents break a real one, and records when
 * it served a bad answer, so a test measures delays from the bad run itself.
 */
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import { days, makeCa, makeLeaf, writeCaFile } from './certs.js';
import { quietPort } from './quiet-port.js';

const SECURE_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export interface ScenarioTarget {
  readonly appUrl: string;
  readonly frontUrl: string;
  readonly frontHostPort: string;
  readonly caFile: string;
  /** What the target does now; change it to start or end an incident. */
  readonly mode: { apiErrorEvery: number; apiLatencyMs: number; securityHeaders: boolean };
  /** When /api/health answered 500, and when a slow answer of it finished (epoch ms). */
  readonly apiFailures: number[];
  readonly apiSlow: number[];
  expireCertificate(): void;
  renewCertificate(): void;
  /** Both listeners closed: connections are refused. */
  down(): Promise<void>;
  up(): Promise<void>;
}

function tracked(server: Server | HttpsServer) {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let port = 0;
  return {
    async listen() {
      // A quiet port (quiet-port.ts): the target comes back up on the same one after an outage.
      if (port === 0) port = await quietPort();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
      return port;
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export async function scenarioTarget(): Promise<ScenarioTarget> {
  const ca = await makeCa();
  const good = await makeLeaf({ ca, hosts: ['localhost'], notAfter: days(90) });
  const expired = await makeLeaf({ ca, hosts: ['localhost'], notBefore: days(-90), notAfter: days(-1) });
  const mode = { apiErrorEvery: 0, apiLatencyMs: 0, securityHeaders: true };
  const apiFailures: number[] = [];
  const apiSlow: number[] = [];
  let apiRequests = 0;
  // Counted from each change of the error rate, so the failures fall on the same runs every time.
  let countingFor = 0;

  const app = createHttp((req, res) => {
    if (req.url === '/api/health') {
      const every = mode.apiErrorEvery;
      if (every !== countingFor) [countingFor, apiRequests] = [every, 0];
      apiRequests += 1;
      // Every n-th request fails, the first half-way through the first n (7 % at n = 14).
      if (every > 0 && apiRequests % every === Math.floor(every / 2)) {
        apiFailures.push(Date.now());
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
        return;
      }
      const latency = mode.apiLatencyMs;
      setTimeout(() => {
        if (latency > 0) apiSlow.push(Date.now());
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      }, latency);
      return;
    }
    if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>app</title>');
  });
  const front = createHttps({ cert: good.cert, key: good.key }, (_req, res) => {
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        ...(mode.securityHeaders ? SECURE_HEADERS : {}),
      })
      .end('<!doctype html><title>front</title>');
  });
  const appListener = tracked(app);
  const frontListener = tracked(front);
  const appPort = await appListener.listen();
  const frontPort = await frontListener.listen();
  onTestFinished(async () => {
    await appListener.close();
    await frontListener.close();
  });
  return {
    appUrl: `http://127.0.0.1:${appPort}`,
    frontUrl: `https://localhost:${frontPort}`,
    frontHostPort: `localhost:${frontPort}`,
    caFile: writeCaFile(ca),
    mode,
    apiFailures,
    apiSlow,
    expireCertificate: () => front.setSecureContext({ cert: expired.cert, key: expired.key }),
    renewCertificate: () => front.setSecureContext({ cert: good.cert, key: good.key }),
    async down() {
      await appListener.close();
      await frontListener.close();
    },
    async up() {
      await appListener.listen();
      await frontListener.listen();
    },
  };
}
