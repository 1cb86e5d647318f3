/**
 * What a route returns instead of writing to the response itself: a status, headers and a body
 * (or a stream of chunks of known length). Handlers never touch the socket, so none can answer
 * twice, write after the client left, or leave a request without an answer on its error path:
 * the server (http.ts) writes every answer through `writeAnswer`, once.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { yieldSliceMs } from '../util/loop-pressure.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface Answer {
  readonly status: number;
  readonly body?: string | Buffer;
  /** A body sent in chunks (the /metrics exposition), with its total length known up front. */
  readonly stream?: { readonly length: number; readonly chunks: Iterable<Buffer> };
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Close the connection once answered (a body we refused to read may still be arriving). */
  readonly close?: boolean;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export const textAnswer = (status: number, message: string, headers?: Record<string, string>): Answer => ({
  status,
  body: message.endsWith('\n') ? message : `${message}\n`,
  contentType: TEXT,
  ...(headers ? { headers } : {}),
});

export const jsonAnswer = (status: number, value: unknown): Answer => ({
  status,
  body: `${JSON.stringify(value)}\n`,
  contentType: JSON_TYPE,
});

/** HSTS only means something over HTTPS; browsers ignore it on plain HTTP (RFC 6797 8.1). */
const HSTS = { 'strict-transport-security': 'max-age=63072000' };

/** Whether the request came over TLS; read once, while its socket is still there. */
export function overTls(req: IncomingMessage): boolean {
  return Boolean(req.socket && 'encrypted' in req.socket);
}

/**
 * The response can still be written: the client has not gone and nothing was answered yet. Not
 * `res.socket`: a pipelined request's response gets its socket only once the responses before it
 * are done, and Node buffers what is written to it until then (checking the socket dropped every
 * pipelined answer but the first).
 */
function writable(res: ServerResponse): boolean {
  // The request's socket, not the response's; not `req.destroyed` either, which a fully read
  // request is (autoDestroy) while its client waits for the answer.
  const socket = res.req.socket as IncomingMessage['socket'] | null;
  return !res.headersSent && !res.writableEnded && !res.destroyed && socket !== null && !socket.destroyed;
}

/**
 * Writes chunks honouring backpressure, yielding to the event loop after every few milliseconds
 * of writing. Not after every chunk: on a saturated loop each turn given away is a whole turn of
 * probe callbacks, and a 20 MB scrape yielding 320 times took minutes (bench:control-path).
 */
const WRITE_SLICE_MS = 10;

async function streamChunks(res: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  let sliceStart = performance.now();
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      // 'close' too: a client that leaves mid-stream never drains. The waiter that loses is
      // removed (aborted): left attached, a slow scraper's stream gathered one 'close' and one
      // 'error' listener per chunk on the response (MaxListenersExceededWarning at 11).
      const loser = new AbortController();
      await Promise.race([
        once(res, 'drain', { signal: loser.signal }),
        once(res, 'close', { signal: loser.signal }),
      ]).catch(() => {});
      loser.abort();
      sliceStart = performance.now();
    } else if (performance.now() - sliceStart > yieldSliceMs(WRITE_SLICE_MS)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (!res.destroyed) res.end();
}

/**
 * Sends the answer unless the client is gone (then it is dropped: nobody is listening). Never
 * throws: a socket that dies while writing only ends this request.
 */
export async function writeAnswer(
  res: ServerResponse,
  answer: Answer,
  context: { readonly tls: boolean; readonly head: boolean },
): Promise<void> {
  if (!writable(res)) return;
  const body = answer.stream ? undefined : (answer.body ?? '');
  const length = answer.stream ? answer.stream.length : Buffer.byteLength(body ?? '');
  // A 304 has no body, and a Content-Length on it would have to be the 200's (RFC 9110 8.6).
  const notModified = answer.status === 304;
  res.on('error', () => {}); // EPIPE and the like after the client left: nothing more to do
  res.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    ...(context.tls ? HSTS : {}),
    ...answer.headers,
    'content-type': answer.contentType ?? TEXT,
    ...(notModified ? {} : { 'content-length': length }),
    ...(answer.close ? { connection: 'close' } : {}),
  });
  if (answer.close) res.once('finish', () => res.socket?.destroySoon());
  if (context.head || notModified) {
    res.end();
    return;
  }
  if (answer.stream) await streamChunks(res, answer.stream.chunks);
  else res.end(body);
}
