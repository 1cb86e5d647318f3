/**
 * Reads a response body to the end (blackbox #348: reading part of it broke sockets), counting
 * bytes after decompression and stopping as soon as the limit is passed.
 */
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export class BodyTooLargeError extends Error {
  readonly code = 'PRISMWATCH_BODY_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`body is larger than max_body_bytes (${limitBytes} bytes)`);
  }
}

function decoderFor(contentEncoding: string | undefined): Transform | undefined {
  switch (contentEncoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

interface BodyRead {
  readonly bytes: number;
  /** The body, only when asked to keep it (assertions need it). */
  readonly data?: Buffer;
}

export async function readBody(
  body: Readable,
  options: { contentEncoding?: string; limitBytes: number; keep: boolean },
): Promise<BodyRead> {
  const decoder = decoderFor(options.contentEncoding);
  // pipeline() forwards errors from the raw body into the decoder we read.
  const source: Readable = decoder ? pipeline(body, decoder, () => {}) : body;
  const chunks: Buffer[] = [];
  let bytes = 0;
  // Events rather than `for await`: the async iterator costs promises per chunk, and at thousands
  // of probes a second those showed in the profile.
  return new Promise<BodyRead>((resolve, reject) => {
    const fail = (error: Error) => {
      source.off('data', onData);
      body.destroy();
      decoder?.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.limitBytes) fail(new BodyTooLargeError(options.limitBytes));
      else if (options.keep) chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('error', fail);
    source.once('end', () => {
      resolve(options.keep ? { bytes, data: Buffer.concat(chunks) } : { bytes });
    });
    // A body cut short ends in 'close' without 'end' (and usually an 'error' first).
    source.once('close', () => {
      if (!source.readableEnded) fail(prematureClose());
    });
  });
}

/** The error node's stream utilities give a body cut short, so it maps to "reset" like theirs. */
function prematureClose(): Error {
  return Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' });
}
