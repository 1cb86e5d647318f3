/**
 * What a client may hold of the daemon: a cap on connections and deadlines that close sockets a
 * client keeps open without finishing a request. Without them 20,000 slow connections took every
 * file descriptor, and every probe failed with EMFILE. The cap and the defaults follow
 * Prometheus (`--web.max-connections` 512); the deadlines follow Node's own defaults, enforced
 * every second rather than every 30 s so a slow-loris socket does not outlive its deadline by
 * half a minute.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ServerMetrics } from './server-metrics.js';

export interface ServerLimits {
  /** Connections open at once; more are closed on accept (Prometheus: --web.max-connections). */
  readonly maxConnections: number;
  /** From connection (or the end of the previous request) to the end of the request headers. */
  readonly headersTimeoutMs: number;
  /** From connection to the end of the whole request, body included. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic at all in either direction is closed after this. */
  readonly idleTimeoutMs: number;
  /** How often the header and request deadlines are checked. */
  readonly checkIntervalMs: number;
}

export const DEFAULT_MAX_CONNECTIONS = 512;

const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the usual load balancer's 60 s, so that the balancer, not prismwatch, closes first.
  keepAliveTimeoutMs: 65_000,
  idleTimeoutMs: 120_000,
  checkIntervalMs: 1_000,
};

export function serverLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  return { ...DEFAULT_SERVER_LIMITS, ...overrides };
}

/** The status line a malformed or too slow request gets before its socket is closed. */
function clientErrorResponse(code: string | undefined): string | undefined {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined; // the client is gone; nothing to answer
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
    case 'HPE_HEADER_OVERFLOW':
      return 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
    default:
      return 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  }
}

export function applyServerLimits(
  server: Server,
  context: { readonly log: Logger; readonly metrics?: ServerMetrics },
  overrides: Partial<ServerLimits> = {},
): ServerLimits {
  const limits = serverLimits(overrides);
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = limits.idleTimeoutMs;
  // Node reads the check interval when the server starts listening; its 30 s default would let
  // a socket outlive headersTimeout by that much.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    limits.checkIntervalMs;
  const { log, metrics } = context;
  metrics?.maxConnections.set(limits.maxConnections);
  server.on('connection', (socket: Socket) => {
    metrics?.openConnections.inc();
    socket.once('close', () => metrics?.openConnections.dec());
  });
  server.on('drop', (data?: { remoteAddress?: string }) => {
    metrics?.requestErrors.inc({ reason: 'connection_limit' });
    log.debug(
      { remote: data?.remoteAddress, max_connections: limits.maxConnections },
      'Connection refused: cap reached',
    );
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    metrics?.requestErrors.inc({ reason: 'client_error' });
    log.debug({ err_code: error.code, reason: error.message }, 'Client error');
    const answer = clientErrorResponse(error.code);
    // A response already under way cannot be followed by an error status: just close.
    const responding = Boolean((socket as Socket & { _httpMessage?: unknown })._httpMessage);
    // The descriptor is released once the answer is flushed, whether or not the client ever
    // reads it and closes its side (a hostile one would not).
    if (answer && socket.writable && !responding) socket.end(answer, () => socket.destroy());
    else socket.destroy();
  });
  // An accept() failure (EMFILE, ENFILE) is emitted on the server: without a listener it would
  // be an uncaught 'error' event and end the process. The listener is added once listening.
  server.on('listening', () => {
    server.on('error', (error: NodeJS.ErrnoException) => {
      log.warn({ err: error }, 'HTTP server error; it keeps serving');
    });
  });
  return limits;
}
