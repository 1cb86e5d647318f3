/** Turns whatever stopped an HTTP exchange into a catalogue failure with a message an operator can act on. */
import { formatDuration } from '../config/duration.js';
import type { Failure, Phase } from './failure.js';
import { BodyTooLargeError } from './http-body.js';
import type { ExchangeTrace } from './http-connector.js';
import { DeclaredBodyTooLargeError } from './http-exchange.js';
import { mapNetworkError } from './map-error.js';

const WAITING_FOR: Record<Phase, string> = {
  resolve: 'resolving the host name',
  connect: 'connecting',
  tls: 'the TLS handshake',
  processing: 'waiting for the response headers',
  transfer: 'reading the body',
};

export interface FailureContext {
  readonly url: URL;
  readonly trace: ExchangeTrace;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Undefined when the error is not something a target can cause: the caller treats it as a bug. */
export function classifyHttpError(error: unknown, context: FailureContext): Failure | undefined {
  const { trace, url } = context;
  if (trace.failure) return trace.failure;
  if (error instanceof BodyTooLargeError || error instanceof DeclaredBodyTooLargeError) {
    return { code: 'body_too_large', phase: 'transfer', message: error.message };
  }
  const peer = trace.remoteAddress ?? url.host;
  const phase = trace.phase;
  if (context.signal.aborted) {
    const budget = formatDuration(context.timeoutMs);
    if (phase === 'connect') {
      return {
        code: 'connect_timeout',
        phase,
        message: `no TCP connection to ${peer} within the ${budget} timeout`,
      };
    }
    return {
      code: 'timeout',
      phase,
      message: `timed out after ${budget} while ${WAITING_FOR[phase]} (${peer})`,
    };
  }
  const mapped = mapNetworkError(error, phase);
  if (!mapped) return undefined;
  const detail = mapped.message;
  switch (mapped.code) {
    case 'dns_error':
      return { ...mapped, phase: 'resolve', message: `could not resolve ${url.hostname}: ${detail}` };
    case 'connect_refused':
      return { ...mapped, phase: 'connect', message: `connection to ${peer} refused` };
    case 'connect_timeout':
      return { ...mapped, phase: 'connect', message: `no TCP connection to ${peer}: ${detail}` };
    case 'connect_error':
      return { ...mapped, phase: 'connect', message: `could not connect to ${peer}: ${detail}` };
    case 'timeout':
      return {
        ...mapped,
        message: `timed out while ${WAITING_FOR[mapped.phase ?? phase]} (${peer}): ${detail}`,
      };
    case 'reset':
      return {
        ...mapped,
        message: `connection closed by ${peer} while ${WAITING_FOR[mapped.phase ?? phase]}: ${detail}`,
      };
    case 'tls_error':
      return { ...mapped, phase: 'tls', message: `TLS handshake with ${peer} failed: ${detail}` };
    case 'protocol_error':
      return { ...mapped, message: `invalid HTTP response from ${peer}: ${detail}` };
    default:
      return mapped;
  }
}
