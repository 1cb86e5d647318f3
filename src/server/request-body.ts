/**
 * The one place a request body is read. Every route goes through it, whether it takes a body or
 * not, so size limits, aborted uploads and slow bodies are handled once for all of them:
 * - a declared Content-Length over the limit is refused before a byte is read;
 * - a body that grows past the limit while streaming stops being read at the limit;
 * - a client that goes away mid-body ends the request quietly (there is nobody to answer);
 * - a body that trickles is bounded by the server's request deadline (server-limits.ts), which
 *   destroys the socket: that arrives here as an abort.
 * The reader never throws and never writes to the response; what to answer is the caller's.
 */
import type { IncomingMessage } from 'node:http';

export type BodyOutcome =
  | { readonly kind: 'read'; readonly body: string }
  | { readonly kind: 'too_large'; readonly limit: number }
  | { readonly kind: 'aborted' };

/** Whether the request says it carries a body at all (RFC 9112 6.3). */
export function announcesBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyOutcome> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too_large', limit });
  if (req.readableEnded) return Promise.resolve({ kind: 'read', body: '' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      // Whatever the client still sends is discarded, not buffered: the answer goes out now.
      if (outcome.kind !== 'read') req.resume();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle({ kind: 'too_large', limit });
      else chunks.push(chunk);
    };
    const onEnd = () => settle({ kind: 'read', body: Buffer.concat(chunks).toString('utf8') });
    const onAbort = () => settle({ kind: 'aborted' });
    // 'close' before 'end' is a client that left (or a deadline that destroyed the socket).
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}
