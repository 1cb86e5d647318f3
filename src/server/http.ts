/**
 * The daemon's HTTP surface: /metrics for Prometheus, /-/healthy and /-/ready for orchestrators,
 * POST /-/reload, the API under /api/v1, the status page, artifacts and pushes (heartbeat pings).
 *
 * Every request takes one path, whatever its route (routes.ts lists them): parse the target,
 * find the route (404/405), take the public budget, check the token, check the content type,
 * read the body through request-body.ts, call the handler, write its answer once (answer.ts).
 * Handlers return answers and never touch the socket, so a client that leaves, an oversized
 * body or a handler that throws ends that request only: never the daemon, never a second answer.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PrismwatchError } from '../errors.js';
import { type Answer, jsonAnswer, overTls, textAnswer, writeAnswer } from './answer.js';
import { type BudgetLimits, DEFAULT_BUDGET_LIMITS, RequestBudget } from './budgets.js';
import { formatHostPort } from './listen-address.js';
import { announcesBody, readRequestBody } from './request-body.js';
import { parseRequestTarget } from './request-target.js';
import { matchRoute, type Route, routeMethods, STRAY_BODY_BYTES } from './route-table.js';
import { buildRoutes, type ServerHandlers } from './routes.js';
import { applyServerLimits, type ServerLimits } from './server-limits.js';
import type { RequestErrorReason, ServerMetrics } from './server-metrics.js';

export type { PushRequest, ServerHandlers } from './routes.js';

interface ServerOptions {
  readonly handlers: ServerHandlers;
  readonly log: Logger;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP; adds HSTS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Bearer token required by write endpoints; without one they answer 403. */
  readonly apiToken?: string;
  /** Connection cap and timeouts; every field has a default (server-limits.ts). */
  readonly limits?: Partial<ServerLimits>;
  /** The budget of unauthenticated public routes (budgets.ts). */
  readonly publicBudget?: Partial<BudgetLimits>;
  /** Where request errors and connection counts are exported; optional for tests. */
  readonly metrics?: ServerMetrics;
  /**
   * Gives the control path (/metrics, /-/…, the API) priority over new probe runs: called as such
   * a request arrives; what it returns is called once the answer is written or the client left.
   */
  readonly priority?: () => () => void;
}

/** Paths whose requests get priority: what operators and Prometheus need when the daemon is busy. */
const PRIORITY_PATH = /^\/(?:metrics|-\/|api\/)/;

/** The route table a server was built with, for the route fuzz and the OpenAPI test. */
const tables = new WeakMap<Server, readonly Route[]>();
export function routesOf(server: Server): readonly Route[] {
  return tables.get(server) ?? [];
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The media type without parameters, lower-cased ("application/json; charset=utf-8" → "application/json"). */
const mediaType = (header: string | undefined) =>
  header === undefined ? undefined : (header.split(';')[0] ?? '').trim().toLowerCase();

/** A refusal in the route's own language: JSON `{error}` under /api/, a line of text elsewhere. */
const problem = (route: Route, status: number, message: string): Answer =>
  route.path.startsWith('/api/') ? jsonAnswer(status, { error: message }) : textAnswer(status, message);

type Found = { route: Route; params: Readonly<Record<string, string>>; badEscape: boolean } | Answer;

function findRoute(routes: readonly Route[], method: string, path: string): Found {
  let pathKnown = false;
  const allowed = new Set<string>();
  for (const route of routes) {
    const match = matchRoute(route.path, path);
    if (match === undefined) continue;
    pathKnown = true;
    const methods = routeMethods(route);
    if (methods.includes(method)) return { route, ...match };
    for (const allowedMethod of methods) allowed.add(allowedMethod);
  }
  if (!pathKnown) return textAnswer(404, 'not found');
  return textAnswer(405, 'method not allowed', { allow: [...allowed].join(', ') });
}

export function createHttpServer(options: ServerOptions): Server {
  const { log, metrics } = options;
  const routes = buildRoutes(options.handlers);
  const budget = new RequestBudget({ ...DEFAULT_BUDGET_LIMITS, ...options.publicBudget });
  metrics?.observeBudget(budget);
  const pushPrefixes = options.handlers.pushPrefixes;
  /** A push path carries its secret (the heartbeat token): logs get only the prefix. */
  const loggablePath = (path: string | undefined) => {
    const prefix = path && pushPrefixes.find((candidate) => path.startsWith(candidate));
    return prefix ? `${prefix}…` : path;
  };
  const refused = (reason: RequestErrorReason, answer: Answer) => {
    metrics?.requestErrors.inc({ reason });
    if (reason === 'bad_request') log.debug({ reason: String(answer.body).trim() }, 'Bad request');
    return answer;
  };

  const authorize = (req: IncomingMessage): Answer | undefined => {
    if (!options.apiToken)
      return textAnswer(403, 'write endpoints are disabled: set PRISMWATCH_API_TOKEN to enable them');
    if (!hasToken(req, options.apiToken))
      return textAnswer(
        401,
        'a valid bearer token is required (the daemon reads it from PRISMWATCH_API_TOKEN)',
        {
          'www-authenticate': 'Bearer realm="prismwatch"',
        },
      );
    return undefined;
  };

  /**
   * Everything between the request and its answer; resolves with the answer (or undefined: client
   * gone). `seen.route` is the route that took the request, for the request counter.
   */
  const answerFor = async (
    req: IncomingMessage,
    res: ServerResponse,
    seen: { route?: string },
  ): Promise<Answer | undefined> => {
    const target = parseRequestTarget(req.url);
    if (!target) return refused('bad_request', textAnswer(400, 'malformed request target'));
    const method = req.method ?? 'GET';
    const found = findRoute(routes, method, target.path);
    if (!('route' in found)) return { ...found, ...(announcesBody(req) ? { close: true } : {}) };
    const { route, params, badEscape } = found;
    seen.route = route.path;
    if (route.access === 'public') {
      const taken = budget.take(req.socket?.remoteAddress ?? 'unknown');
      if (typeof taken !== 'function') {
        metrics?.requestsLimited.inc({ reason: taken.reason });
        return {
          ...textAnswer(429, 'too many requests; try again later', {
            'retry-after': String(taken.retryAfterSeconds),
          }),
          close: announcesBody(req),
        };
      }
      res.once('close', taken);
    }
    if (route.access === 'token') {
      const denied = authorize(req);
      if (denied) return { ...denied, close: announcesBody(req) };
    }
    let agent: string | undefined;
    if (route.access === 'agent') {
      const auth = options.handlers.agents.authenticate(req.headers.authorization);
      if ('refused' in auth)
        return {
          ...jsonAnswer(401, { error: `agent token refused (${auth.refused.replaceAll('_', ' ')})` }),
          headers: { 'www-authenticate': 'Bearer realm="prismwatch-agents"' },
          close: announcesBody(req),
        };
      agent = auth.agent;
    }
    if (route.accepts && announcesBody(req)) {
      const type = mediaType(req.headers['content-type']);
      if (type !== undefined && !route.accepts.includes(type))
        return refused('unsupported_media_type', {
          ...problem(route, 415, `expected a body of type ${route.accepts.join(' or ')}`),
          close: true,
        });
    }
    if (badEscape)
      return refused('bad_request', {
        ...problem(route, 400, 'invalid percent-encoding in the path'),
        close: announcesBody(req),
      });
    const limit = route.maxBodyBytes ?? STRAY_BODY_BYTES;
    const read = await readRequestBody(req, limit);
    if (read.kind === 'aborted') {
      metrics?.requestErrors.inc({ reason: 'aborted' });
      return undefined;
    }
    if (read.kind === 'too_large') {
      const message = `body larger than ${limit >= 1024 ? `${limit / 1024} KiB` : `${limit} bytes`}`;
      return refused('body_too_large', { ...problem(route, 413, message), close: true });
    }
    return route.handle({
      method,
      path: target.path,
      params,
      query: target.query,
      headers: req.headers,
      body: route.maxBodyBytes === undefined ? '' : read.body,
      ...(agent !== undefined ? { agent } : {}),
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const context = { tls: overTls(req), head: req.method === 'HEAD' };
    if (options.priority && PRIORITY_PATH.test(req.url ?? '')) {
      const done = options.priority();
      res.once('close', done);
      res.once('finish', done);
    }
    const fail = (error: unknown) => {
      metrics?.requestErrors.inc({ reason: 'handler_error' });
      log.error(
        { err: error, method: req.method, path: loggablePath(parseRequestTarget(req.url)?.path) },
        'HTTP handler failed',
      );
      return textAnswer(500, 'internal error');
    };
    // The one boundary between a request and the process: whatever a handler throws, synchronously
    // or not, ends this request with a 500 and a log line, never the daemon.
    const seen: { route?: string } = {};
    res.once('finish', () =>
      metrics?.requests.inc({ route: seen.route ?? 'none', code: String(res.statusCode) }),
    );
    let pending: Promise<Answer | undefined>;
    try {
      pending = answerFor(req, res, seen);
    } catch (error) {
      pending = Promise.resolve(fail(error));
    }
    pending
      .catch(fail)
      .then(async (answer) => {
        if (answer) await writeAnswer(res, answer, context);
        else res.destroy();
      })
      .catch((error: unknown) => {
        // writeAnswer does not throw; this is the last guard against an unhandled rejection.
        log.error({ err: error }, 'Could not write an HTTP answer');
        res.destroy();
      });
  };

  const server: Server = options.tls
    ? (createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) as unknown as Server)
    : createServer(handle);
  tables.set(server, routes);
  applyServerLimits(server, { log, ...(metrics ? { metrics } : {}) }, options.limits);
  return server;
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new PrismwatchError(
          'PRISMWATCH_LISTEN_FAILED',
          `could not listen on ${formatHostPort(host, port)}: ${error.code ?? error.message}`,
          { cause: error },
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

/** Stops accepting, lets idle connections go at once and cuts busy ones after 2 s. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 2_000).unref();
  await closed;
}
