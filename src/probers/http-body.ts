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

export interface BodyRead {
  readonly bytes: number;
  /** The body, only when asked to keep it (assertions need it). */
  readonly data?: Buffer;
}

export async function readBody(
  body: Readable,
  options: { contentEncoding?: string; limitBytes: number; keep: boolean },
): Promise<BodyRead> {
  const decoder = decoderFor(options.contentEncoding);
  // pipeline() forwards errors from the raw body into the decoder we iterate.
  const source: Readable = decoder ? pipeline(body, decoder, () => {}) : body;
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      bytes += buffer.length;
      if (bytes > options.limitBytes) throw new BodyTooLargeError(options.limitBytes);
      if (options.keep) chunks.push(buffer);
    }
  } catch (error) {
    body.destroy();
    decoder?.destroy();
    throw error;
  }
  return options.keep ? { bytes, data: Buffer.concat(chunks) } : { bytes };
}
