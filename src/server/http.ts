/**
 * The daemon's HTTP surface: /metrics for Prometheus, /-/healthy and /-/ready for orchestrators,
 * POST /-/reload for config reloads. Write endpoints need the bearer token from the environment.
 */
import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PrismwatchError } from '../errors.js';
import type { MetricsBody } from '../metrics/scrape.js';
import { decodeComponent } from '../util/uri.js';
import type { ApiAnswer, ApiCollection } from './api-input.js';
import { formatHostPort } from './listen-address.js';
import { parseRequestTarget } from './request-target.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { applyServerLimits, type ServerLimits } from './server-limits.js';
import type { ServerMetrics } from './server-metrics.js';
import { STATUS_CSS } from './status-page.js';

export interface ServerHandlers {
  /** The exposition as a head (small) and a stream of chunks of known total length. */
  readonly metrics: () => Promise<MetricsBody>;
  readonly isReady: () => boolean;
  readonly reload: () => Promise<{ ok: boolean; message: string }>;
  readonly alerts: () => unknown;
  readonly probes: () => unknown;
  /** undefined when no such probe is configured. */
  readonly probeResults: (name: string, sinceMs?: number) => unknown;
  /**
   * The API's collections by name (/api/v1/<name>: silences, maintenance, announcements,
   * incidents); each is undefined until the daemon has loaded its state.
   */
  readonly collections: Readonly<Record<string, () => ApiCollection | undefined>>;
  /** The status page's HTML. */
  readonly statusPage: () => string;
  /** A file a probe left (a screenshot), by its /artifacts/… path; undefined when there is none. */
  readonly artifact: (path: string) => Buffer | undefined;
  /** Path prefixes that kinds receive pushes under (heartbeat pings: "/ping/"). */
  readonly pushPrefixes: readonly string[];
  /** A request under one of them, answered by the kind's inbox. */
  readonly push: (request: PushRequest) => { status: number; body: string };
}

export interface PushRequest {
  readonly method: string;
  /** The whole path, still percent-encoded. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Push bodies (a job's last lines of output) beyond this are refused. */
const MAX_PUSH_BODY_BYTES = 64 * 1024;

interface ServerOptions {
  readonly handlers: ServerHandlers;
  readonly log: Logger;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP; adds HSTS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Bearer token required by write endpoints; without one they answer 403. */
  readonly apiToken?: string;
  /** Connection cap and timeouts; every field has a default (server-limits.ts). */
  readonly limits?: Partial<ServerLimits>;
  /** Where request errors and connection counts are exported; optional for tests. */
  readonly metrics?: ServerMetrics;
}

/** HSTS only means something over HTTPS; browsers ignore it on plain HTTP (RFC 6797 8.1). */
const HSTS = { 'strict-transport-security': 'max-age=63072000' };

/** HSTS on responses that travel over TLS, nothing otherwise. */
function transportHeaders(res: ServerResponse): Record<string, string> {
  return 'encrypted' in res.req.socket ? HSTS : {};
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...transportHeaders(res),
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Writes chunks honouring backpressure, yielding to the event loop between them. */
async function streamChunks(res: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await once(res, 'drain');
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  res.end();
}

export function createHttpServer(options: ServerOptions): Server {
  const { handlers, log } = options;
  const authorizeWrite = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!options.apiToken) {
      send(res, 403, 'write endpoints are disabled: set PRISMWATCH_API_TOKEN to enable them\n');
      return false;
    }
    if (!hasToken(req, options.apiToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="prismwatch"');
      send(res, 401, 'a valid bearer token is required\n');
      return false;
    }
    return true;
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
    'GET /metrics': async (_req, res) => {
      const body = await handlers.metrics();
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        ...transportHeaders(res),
        'content-type': body.contentType,
        'content-length': body.length,
      });
      await streamChunks(res, body.chunks);
    },
    'GET /-/healthy': (_req, res) => send(res, 200, 'prismwatch is healthy\n'),
    'GET /': (_req, res) => send(res, 200, handlers.statusPage(), 'text/html; charset=utf-8'),
    'GET /status.css': (_req, res) => send(res, 200, STATUS_CSS, 'text/css; charset=utf-8'),
    'GET /api/v1/alerts': (_req, res) =>
      send(res, 200, `${JSON.stringify(handlers.alerts())}\n`, 'application/json; charset=utf-8'),
    'GET /-/ready': (_req, res) =>
      handlers.isReady()
        ? send(res, 200, 'prismwatch is ready\n')
        : send(res, 503, 'prismwatch is not ready\n'),
    'POST /-/reload': async (req, res) => {
      if (!authorizeWrite(req, res)) return;
      const outcome = await handlers.reload();
      send(res, outcome.ok ? 200 : 500, `${outcome.message}\n`);
    },
  };
  routes['PUT /-/reload'] = routes['POST /-/reload']!;
  routes['HEAD /-/healthy'] = routes['GET /-/healthy']!;
  routes['HEAD /-/ready'] = routes['GET /-/ready']!;
  routes['HEAD /'] = routes['GET /']!;
  routes['HEAD /status.css'] = routes['GET /status.css']!;

  const sendJson = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
  routes['GET /api/v1/probes'] = (_req, res) => sendJson(res, 200, handlers.probes());
  const badRequest = (res: ServerResponse, message: string) => {
    options.metrics?.requestErrors.inc({ reason: 'bad_request' });
    log.debug({ reason: message }, 'Bad request');
    send(res, 400, `${message}\n`);
  };
  /** "silence" is Alertmanager v2's path for one silence (DELETE /api/v2/silence/<id>); amtool habits carry over. */
  const collectionFor = (name: string) =>
    Object.hasOwn(handlers.collections, name)
      ? handlers.collections[name]!
      : name === 'silence'
        ? handlers.collections.silences
        : undefined;
  const serveCollection = async (
    req: IncomingMessage,
    res: ServerResponse,
    collection: () => ApiCollection | undefined,
    rawId: string | undefined,
    query: URLSearchParams,
  ) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const action =
      rawId === undefined
        ? method === 'GET'
          ? 'list'
          : method === 'POST'
            ? 'create'
            : undefined
        : method === 'DELETE'
          ? 'remove'
          : undefined;
    const resource = collection();
    if (action === undefined || (resource && action !== 'list' && !resource[action]))
      return send(res, 405, 'method not allowed\n');
    if (action !== 'list' && !authorizeWrite(req, res)) return;
    let body = '';
    if (action === 'create') {
      const read = await readBody(req, 64 * 1024);
      if (read === undefined) return sendJson(res, 413, { error: 'body larger than 64 KiB' });
      body = read;
    }
    if (!resource) return sendJson(res, 503, { error: 'prismwatch is starting' });
    let answer: ApiAnswer;
    if (action === 'list') answer = resource.list(query);
    else if (action === 'create') answer = resource.create!(body);
    else {
      const id = decodeComponent(rawId!);
      if (id === undefined) return badRequest(res, 'invalid percent-encoding in the id');
      answer = resource.remove!(id);
    }
    sendJson(res, answer.status, answer.body);
  };
  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
    const target = parseRequestTarget(req.url);
    if (!target) return badRequest(res, 'malformed request target');
    const { path, query } = target;
    if (handlers.pushPrefixes.some((prefix) => path.startsWith(prefix))) return push(req, res, path);
    if (path.startsWith('/artifacts/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const file = handlers.artifact(path);
      if (!file) return send(res, 404, 'not found\n');
      return send(res, 200, file, path.endsWith('.png') ? 'image/png' : 'application/octet-stream');
    }
    const results = /^\/api\/v1\/probes\/([^/]+)\/results$/.exec(path);
    if (results && (req.method === 'GET' || req.method === 'HEAD')) {
      const since = query.get('since');
      const sinceMs = since === null ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
        return sendJson(res, 400, { error: `since must be an RFC 3339 time, got ${JSON.stringify(since)}` });
      }
      const name = decodeComponent(results[1]!);
      if (name === undefined) return badRequest(res, 'invalid percent-encoding in the probe name');
      const body = handlers.probeResults(name, sinceMs);
      if (body === undefined) return sendJson(res, 404, { error: `no probe named ${JSON.stringify(name)}` });
      return sendJson(res, 200, body);
    }
    const api = /^\/api\/v1\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
    const collection = api && collectionFor(api[1]!);
    if (collection) return serveCollection(req, res, collection, api![2], query);
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`));
      return send(res, known ? 405 : 404, known ? 'method not allowed\n' : 'not found\n');
    }
    return handler(req, res);
  };
  const push = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const body = await readBody(req, MAX_PUSH_BODY_BYTES);
    if (body === undefined) return send(res, 413, 'body larger than 64 KiB\n');
    const answer = handlers.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    send(res, answer.status, answer.body);
  };
  /** A push path carries its secret (the heartbeat token): logs get only the prefix. */
  const loggablePath = (path: string | undefined) => {
    const prefix = path && handlers.pushPrefixes.find((candidate) => path.startsWith(candidate));
    return prefix ? `${prefix}…` : path;
  };
  // The one boundary between a request and the process: whatever a handler throws, synchronously
  // or not, ends this request with a 500 and a log line, never the daemon.
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    options.metrics?.requestErrors.inc({ reason: 'handler_error' });
    log.error(
      { err: error, method: req.method, path: loggablePath(parseRequestTarget(req.url)?.path) },
      'HTTP handler failed',
    );
    if (!res.headersSent) send(res, 500, 'internal error\n');
    else res.destroy();
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const pending = route(req, res);
      if (pending) pending.catch((error: unknown) => fail(req, res, error));
    } catch (error) {
      fail(req, res, error);
    }
  };
  const server: Server = options.tls
    ? (createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) as unknown as Server)
    : createServer(handle);
  applyServerLimits(
    server,
    { log, ...(options.metrics ? { metrics: options.metrics } : {}) },
    options.limits,
  );
  return server;
}

/** The request body as text, or undefined when it is over `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new PrismwatchError(
          'PRISMWATCH_LISTEN_FAILED',
          `could not listen on ${formatHostPort(host, port)}: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        ),
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
