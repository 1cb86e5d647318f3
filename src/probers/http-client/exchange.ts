/**
 * One request/response, over a fresh connection or the probe's kept-alive one: the unit a redirect
 * chain is made of.
 *
 * Probes use node:http rather than undici. undici is the better client for talking to a service
 * (the webhook and Alertmanager integrations use it), but a probe opens a fresh connection every
 * time, and there node:http's native parser costs half the CPU: 0.12 ms against undici's 0.26 ms
 * per probe at 1,000/s on this project's benchmark machine (docs/benchmarks.md). undici also
 * builds an error object with a stack trace for every connection it sees close, which was a tenth
 * of the daemon's CPU in the profile.
 */
import { type Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ExchangeTrace, TlsOptions } from '../net/connect.js';
import { openConnection, RunAbortedError } from '../net/connect.js';
import { readTlsFacts } from '../net/tls-facts.js';
import { readBody } from './body.js';
import type { ConnectCallback, ConnectionOpener } from './keep-alive.js';

export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HopOptions {
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly now: () => number;
  readonly tls: TlsOptions;
  readonly ipProtocol: 'auto' | 'ip4' | 'ip6';
  readonly ipFallback: boolean;
  readonly maxBodyBytes: number;
  /** Keep the body in memory (for assertions); otherwise it is only counted. */
  readonly keepBody: boolean;
  /** A keep-alive agent (opt-in per probe); without one every exchange has its own connection. */
  readonly agent?: Agent;
}

export interface HopResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly contentLength: number;
  readonly bodyBytes: number;
  readonly body?: Buffer;
}

export class DeclaredBodyTooLargeError extends Error {
  readonly code = 'PRISMWATCH_BODY_TOO_LARGE';
  constructor(
    readonly declaredBytes: number,
    readonly limitBytes: number,
  ) {
    super(`Content-Length ${declaredBytes} is larger than max_body_bytes (${limitBytes} bytes)`);
  }
}

export class UnsupportedSchemeError extends Error {
  readonly code = 'PRISMWATCH_UNSUPPORTED_SCHEME';
  constructor(readonly protocol: string) {
    super(`only http and https URLs can be requested, not ${protocol}`);
  }
}

/**
 * Response headers keyed by lower-case name, a repeated header as an array in arrival order.
 * Built from rawHeaders because node's `headers` keeps only the first of some repeated headers,
 * and the security grader must see a duplicated policy to mark it down.
 */
function collectHeaders(raw: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers;
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const HTTP1_ALPN = ['http/1.1'];

/**
 * Destroys the exchange's current request when the run's signal aborts, from the request to the
 * last byte of the body. One listener per exchange rather than http.request's `signal` option,
 * which attaches its own listener and end-of-stream listeners to track the request's end: about
 * 2.5 KB of allocation a run (docs/benchmarks.md, issue 35). The request is swapped when a stale
 * keep-alive connection makes the exchange send again.
 */
class Aborter {
  req?: ClientRequest;
  private readonly onAbort = () => this.req?.destroy(new RunAbortedError(this.signal.reason));
  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }
  leave(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

/** Errors that mean a kept-alive connection was closed by the server while it sat idle. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Sends the request and resolves with the response head; rejects with the socket's or parser's
 * error. A request on a reused keep-alive connection that the server had already closed is sent
 * once more on a new one (as node's documentation advises with `reusedSocket`): the server
 * closing an idle connection says nothing about its health.
 */
function send(
  request: HopRequest,
  options: HopOptions,
  trace: ExchangeTrace,
  aborter: Aborter,
  retried = false,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { url } = request;
    // Redirects are checked before they get here (redirect.ts); this is the last line, so that
    // no caller can ever send an ftp: or file: URL as plain HTTP.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new UnsupportedSchemeError(url.protocol));
      return;
    }
    const https = url.protocol === 'https:';
    const port = Number(url.port) || (https ? 443 : 80);
    const opener: ConnectionOpener['openConnection'] = (done) => {
      openConnection(
        {
          hostname: url.hostname,
          port,
          tls: https ? options.tls : undefined,
          alpn: HTTP1_ALPN,
          ipProtocol: options.ipProtocol,
          ipFallback: options.ipFallback,
          signal: options.signal,
          now: options.now,
        },
        trace,
      ).then(
        (socket) => done(null, socket),
        (error: Error) => done(error, undefined as never),
      );
    };
    const req: ClientRequest = httpRequest({
      host: url.hostname,
      port,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: { host: url.host, ...request.headers },
      setHost: false,
      ...(options.agent
        ? { agent: options.agent, openConnection: opener }
        : // Without an agent node uses createConnection, and its callback form lets the connection
          // be opened (and timed, and its certificate read) by openConnection. `agent: false`
          // would make a throwaway Agent that ignores it.
          {
            createConnection: (_: unknown, done: ConnectCallback) => {
              opener(done);
              return undefined;
            },
          }),
    });
    aborter.req = req;
    let responded = false;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && !responded && !retried && STALE_CONNECTION_CODES.has(error.code ?? '')) {
        trace.readyAt = undefined;
        send(request, options, trace, aborter, true).then(resolve, reject);
        return;
      }
      reject(error);
    });
    req.once('response', (response: IncomingMessage) => {
      responded = true;
      resolve(response);
    });
    if (options.agent) {
      // A reused connection skips resolve, connect and TLS; a new one is timed as usual.
      req.once('socket', (socket: Socket) => {
        if (!socket.connecting && trace.readyAt === undefined) {
          trace.readyAt = options.now();
          trace.phase = 'processing';
          if ((socket as TLSSocket).encrypted) trace.tls = readTlsFacts(socket as TLSSocket);
        }
      });
    }
    req.end(request.body);
  });
}

export async function exchange(
  request: HopRequest,
  options: HopOptions,
  trace: ExchangeTrace,
): Promise<HopResponse> {
  trace.readyAt = undefined;
  if (options.signal.aborted) throw new RunAbortedError(options.signal.reason);
  const aborter = new Aborter(options.signal);
  try {
    return await exchangeOn(request, options, trace, aborter);
  } finally {
    aborter.leave();
  }
}

async function exchangeOn(
  request: HopRequest,
  options: HopOptions,
  trace: ExchangeTrace,
  aborter: Aborter,
): Promise<HopResponse> {
  const response = await send(request, options, trace, aborter);
  const headersAt = options.now();
  trace.phases.processing += headersAt - (trace.readyAt ?? headersAt);
  trace.phase = 'transfer';
  const headers = collectHeaders(response.rawHeaders);
  const contentEncoding = header(headers, 'content-encoding');
  const declared = Number(header(headers, 'content-length') ?? Number.NaN);
  const expectsBody = request.method !== 'HEAD' && response.statusCode !== 204 && response.statusCode !== 304;
  if (expectsBody && !contentEncoding && declared > options.maxBodyBytes) {
    response.destroy();
    throw new DeclaredBodyTooLargeError(declared, options.maxBodyBytes);
  }
  const read = await readBody(response, {
    contentEncoding,
    limitBytes: options.maxBodyBytes,
    keep: options.keepBody,
  });
  trace.phases.transfer += options.now() - headersAt;
  return {
    statusCode: response.statusCode ?? 0,
    headers,
    contentLength: Number.isFinite(declared) ? declared : -1,
    bodyBytes: read.bytes,
    body: read.data,
  };
}
