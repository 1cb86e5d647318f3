/** One request/response over a fresh connection: the unit a redirect chain is made of. */
import { Client } from 'undici';
import type { ExchangeTrace, TlsOptions } from './connect.js';
import { readBody } from './http-body.js';
import { createTimingConnector } from './http-connector.js';

export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
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

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function exchange(
  request: HopRequest,
  options: HopOptions,
  trace: ExchangeTrace,
): Promise<HopResponse> {
  const remaining = () => Math.max(1, Math.ceil(options.deadline - options.now()));
  const client = new Client(request.url.origin, {
    connect: createTimingConnector(trace, options),
    // undici defaults these to 300 s; the probe's own budget is the only sane bound.
    headersTimeout: remaining(),
    bodyTimeout: remaining(),
    keepAliveTimeout: 1_000,
    pipelining: 1,
  });
  let finished = false;
  try {
    const response = await client.request({
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method as 'GET',
      headers: request.headers,
      body: request.body,
      signal: options.signal,
    });
    const headersAt = options.now();
    trace.phases.processing += headersAt - (trace.readyAt ?? headersAt);
    trace.phase = 'transfer';
    const contentEncoding = header(response.headers, 'content-encoding');
    const declared = Number(header(response.headers, 'content-length') ?? Number.NaN);
    const expectsBody =
      request.method !== 'HEAD' && response.statusCode !== 204 && response.statusCode !== 304;
    if (expectsBody && !contentEncoding && declared > options.maxBodyBytes) {
      response.body.destroy();
      throw new DeclaredBodyTooLargeError(declared, options.maxBodyBytes);
    }
    const read = await readBody(response.body, {
      contentEncoding,
      limitBytes: options.maxBodyBytes,
      keep: options.keepBody,
    });
    trace.phases.transfer += options.now() - headersAt;
    finished = true;
    return {
      statusCode: response.statusCode,
      headers: response.headers as Record<string, string | string[]>,
      contentLength: Number.isFinite(declared) ? declared : -1,
      bodyBytes: read.bytes,
      body: read.data,
    };
  } finally {
    // A finished exchange closes gracefully; destroy() would build an error (and its stack
    // trace) on every probe, which profiling showed as a tenth of the prober's CPU.
    // Either may reject with the socket's own error, which the request above has reported.
    if (finished) client.close().catch(() => {});
    else client.destroy().catch(() => {});
  }
}
