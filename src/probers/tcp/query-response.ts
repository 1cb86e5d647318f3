/**
 * A scripted exchange over a connected socket (blackbox's query_response): send text, wait for a
 * reply matching a pattern, in order. Replies accumulate in a bounded buffer; each match consumes
 * the text up to its end, so later steps see what came after.
 */

import type { Socket } from 'node:net';
import type { Failure } from '../../model/failure.js';
import type { LinearRegExp } from '../../util/linear-regex.js';

export type QueryStep = { readonly send: string } | { readonly expect: LinearRegExp };

const MAX_BUFFER_BYTES = 64 * 1024;

function preview(text: string): string {
  const trimmed = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(trimmed);
}

/** Resolves with a failure, or undefined when every step held. Rejects only on socket errors. */
export function runQueryResponse(
  socket: Socket,
  steps: readonly QueryStep[],
  signal: AbortSignal,
): Promise<Failure | undefined> {
  if (steps.length === 0) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let buffer = '';
    let index = 0;
    let waitingFor: LinearRegExp | undefined;
    const finish = (outcome: Failure | undefined, error?: Error) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(outcome);
    };
    const advance = () => {
      while (index < steps.length) {
        const step = steps[index]!;
        if ('send' in step) {
          socket.write(step.send);
          index += 1;
          continue;
        }
        const match = step.expect.exec(buffer);
        if (!match) {
          waitingFor = step.expect;
          return;
        }
        buffer = buffer.slice(match.index + match.text.length);
        index += 1;
      }
      waitingFor = undefined;
      finish(undefined);
    };
    const onData = (chunk: Buffer) => {
      buffer = (buffer + chunk.toString('utf8')).slice(-MAX_BUFFER_BYTES);
      if (waitingFor) advance();
    };
    const onEnd = () => {
      finish({
        code: 'assertion_failed',
        phase: 'processing',
        message: `connection closed before a reply matching /${waitingFor?.source}/ (received ${preview(buffer)})`,
      });
    };
    const onError = (error: Error) => finish(undefined, error);
    const onAbort = () => {
      if (buffer.trim() === '') {
        finish(undefined, Object.assign(new Error('no reply'), { code: 'PRISMWATCH_ABORTED' }));
        return;
      }
      finish({
        code: 'assertion_failed',
        phase: 'processing',
        message: `expected a reply matching /${waitingFor?.source}/, got ${preview(buffer)}`,
      });
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    advance();
  });
}
