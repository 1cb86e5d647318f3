/**
 * A small stand-in for the PrismAI service, on loopback, with switches for what can go wrong:
 * an error rate, added latency, missing security headers, or being down altogether. The demo,
 * the k6 smoke profile and end-to-end tests all use it. Switches: POST /-/chaos with JSON
 * ({"errorRate":0.07,"latencyMs":2500,"headers":false,"down":true}), GET /-/chaos to read them,
 * POST /-/chaos/reset; or commands on the demo's stdin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Chaos {
  /** Share of API and health requests answered 500, 0 to 1. */
  errorRate: number;
  /** Added to every answer. */
  latencyMs: number;
  /** false: answer without security headers. */
  headers: boolean;
  /** true: every route but /-/chaos answers 503. */
  down: boolean;
}

export const CALM: Readonly<Chaos> = Object.freeze({
  errorRate: 0,
  latencyMs: 0,
  headers: true,
  down: false,
});

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Requests allowed per window on /api/* before 429 (X-RateLimit-* headers on every answer). */
const RATE_LIMIT = 600;
const RATE_WINDOW_MS = 10_000;

interface StandIn {
  readonly url: string;
  readonly chaos: Chaos;
  readonly server: Server;
  /** Requests served, by outcome. */
  readonly counts: { ok: number; failed: number; limited: number };
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      if (body.length < 4_096) body += chunk.toString('utf8');
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(body || '{}') as Record<string, unknown>);
      } catch {
        resolve({});
      }
    });
  });
}

export function applyChaos(chaos: Chaos, input: Record<string, unknown>): void {
  if (typeof input.errorRate === 'number') chaos.errorRate = Math.min(1, Math.max(0, input.errorRate));
  if (typeof input.latencyMs === 'number') chaos.latencyMs = Math.max(0, input.latencyMs);
  if (typeof input.headers === 'boolean') chaos.headers = input.headers;
  if (typeof input.down === 'boolean') chaos.down = input.down;
}

export async function startStandIn(options: { port?: number; host?: string } = {}): Promise<StandIn> {
  const chaos: Chaos = { ...CALM };
  const counts = { ok: 0, failed: 0, limited: 0 };
  let windowStart = Date.now();
  let windowCount = 0;
  let served = 0;

  /** A deterministic share of failures: exactly errorRate of requests, evenly spread. */
  const injectFailure = () => {
    served += 1;
    return (
      chaos.errorRate > 0 && Math.floor(served * chaos.errorRate) > Math.floor((served - 1) * chaos.errorRate)
    );
  };

  const answer = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) => {
    const headers = { 'content-type': type, ...(chaos.headers ? SECURITY_HEADERS : {}), ...extra };
    const send = () => {
      if (!res.destroyed) res.writeHead(status, headers).end(body);
    };
    if (chaos.latencyMs > 0) setTimeout(send, chaos.latencyMs);
    else send();
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin.invalid').pathname;
    if (path === '/-/chaos' && req.method === 'POST') {
      applyChaos(chaos, await readJson(req));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chaos));
    }
    if (path === '/-/chaos/reset' && req.method === 'POST') {
      Object.assign(chaos, CALM);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chaos));
    }
    if (path === '/-/chaos')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chaos));
    if (chaos.down) {
      counts.failed += 1;
      return answer(res, 503, 'text/plain', 'down for maintenance (demo switch)');
    }
    if (path.startsWith('/api/')) {
      const now = Date.now();
      if (now - windowStart >= RATE_WINDOW_MS) {
        windowStart = now;
        windowCount = 0;
      }
      windowCount += 1;
      const remaining = Math.max(0, RATE_LIMIT - windowCount);
      const reset = Math.ceil((windowStart + RATE_WINDOW_MS - now) / 1000);
      const limitHeaders = {
        'x-ratelimit-limit': String(RATE_LIMIT),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(reset),
      };
      if (windowCount > RATE_LIMIT) {
        counts.limited += 1;
        return answer(res, 429, 'application/json', '{"error":"rate limited"}', {
          ...limitHeaders,
          'retry-after': String(reset),
        });
      }
      if (injectFailure()) {
        counts.failed += 1;
        return answer(res, 500, 'application/json', '{"error":"injected failure"}', limitHeaders);
      }
      // The account endpoint is behind authentication: without credentials, a 401 and a challenge.
      if (path === '/api/me' && !req.headers.authorization) {
        counts.ok += 1;
        return answer(res, 401, 'application/json', '{"error":"authentication required"}', {
          ...limitHeaders,
          'www-authenticate': 'Bearer realm="prismai"',
        });
      }
      counts.ok += 1;
      return answer(
        res,
        200,
        'application/json',
        JSON.stringify({ status: 'ok', service: 'prismai-standin' }),
        limitHeaders,
      );
    }
    if (path === '/health') {
      if (injectFailure()) {
        counts.failed += 1;
        return answer(res, 500, 'application/json', '{"status":"failing"}');
      }
      counts.ok += 1;
      return answer(res, 200, 'application/json', '{"status":"ok"}');
    }
    if (path === '/' || path === '/index.html') {
      counts.ok += 1;
      return answer(
        res,
        200,
        'text/html; charset=utf-8',
        '<!doctype html><html lang="en"><head><title>PrismAI (stand-in)</title></head><body><h1>PrismAI</h1><p>Demo stand-in.</p></body></html>',
      );
    }
    if (path === '/robots.txt') return answer(res, 200, 'text/plain', 'User-agent: *\nDisallow:\n');
    return answer(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    chaos,
    server,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
